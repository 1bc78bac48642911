"""A done installation part puts its pieces in the register, once.

Each piece of the part becomes a furniture item at the site (at the site's point until someone
places it exactly), of its model, installed the day the part's job was done and in new condition
(TG0). From then on the care plans of its model apply as to any piece: the due-work generator
counts each first action from that installation day. The job lists the new pieces as its items
(action ``install``, done that day), so the order can say which pieces it put in.

Idempotent per part: the part's ``installed_on`` is set in the same transaction, under row locks
(the order's, then the part's), and a second call finds it set and adds nothing; serials
(``INST-<order>-<model>-<n>``, numbered across the order's parts in part order) are unique too.
The order's ``installed_on`` is set when its last part still to do is done.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.models._columns import from_db_geometry, to_db_geometry
from sitecrew.domain.installations import INSTALL_ACTION
from sitecrew.domain.jobs import JobStatus

if TYPE_CHECKING:
    from datetime import date

    from sqlalchemy.orm import Session


def install_pieces(session: Session, job: m.Job, day: date) -> int:
    """Add the pieces of the order part ``job`` does, installed on ``day``; return how many.

    Not an installation part's job, or one whose pieces are already in: nothing happens (0).
    """
    order_id = session.scalar(
        select(m.InstallationPart.installation_id).where(m.InstallationPart.job_id == job.id)
    )
    if order_id is None:
        return 0
    order = session.scalars(
        select(m.Installation).where(m.Installation.id == order_id).with_for_update()
    ).one()
    parts = list(
        session.scalars(
            select(m.InstallationPart)
            .where(m.InstallationPart.installation_id == order.id)
            .order_by(m.InstallationPart.part)
            .with_for_update()
        )
    )
    part = next(part for part in parts if part.job_id == job.id)
    if part.installed_on is not None:
        return 0
    before: Counter[int] = Counter()  # the same model's pieces in earlier parts: serials go on
    for earlier in parts[: parts.index(part)]:
        for model_id, count in earlier.pieces:
            before[model_id] += count
    site = session.get_one(m.Site, order.site_id)
    point = to_db_geometry(from_db_geometry(site.location))
    pieces = [
        m.Furniture(
            site_id=order.site_id,
            model_id=model_id,
            serial=f"INST-{order.id}-{model_id}-{before[model_id] + number}",
            installed_on=day,
            condition_grade=0,
            location=point,
        )
        for model_id, count in part.pieces
        for number in range(1, count + 1)
    ]
    session.add_all(pieces)
    session.flush()
    session.add_all(
        m.JobItem(
            job_id=job.id,
            furniture_id=piece.id,
            action=INSTALL_ACTION,
            cycle_on=day,
            done_on=day,
        )
        for piece in pieces
    )
    part.installed_on = day
    if _nothing_left(session, parts, job.id):
        order.installed_on = day
    session.flush()
    return len(pieces)


def _nothing_left(session: Session, parts: list[m.InstallationPart], done_job: int) -> bool:
    """Return whether every other part of the order is done or cancelled."""
    others = [part.job_id for part in parts if part.job_id != done_job]
    if not others:
        return True
    statuses = session.scalars(select(m.Job.status).where(m.Job.id.in_(others)))
    return all(status in {JobStatus.DONE.value, JobStatus.CANCELLED.value} for status in statuses)
