"""A done installation job puts its pieces in the register, once.

Each piece of the order becomes a furniture item at the site (at the site's point until someone
places it exactly), of its model, installed the day the job was done and in new condition
(TG0). From then on the care plans of its model apply as to any piece: the due-work generator
counts each first action from that installation day. The job lists the new pieces as its items
(action ``install``, done that day), so the order can say which pieces it put in.

Idempotent: the order's ``installed_on`` is set in the same transaction, under a row lock, and a
second call finds it set and adds nothing; serials (``INST-<order>-<model>-<n>``) are unique too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.models._columns import from_db_geometry, to_db_geometry
from sitecrew.domain.installations import INSTALL_ACTION

if TYPE_CHECKING:
    from datetime import date

    from sqlalchemy.orm import Session


def install_pieces(session: Session, job: m.Job, day: date) -> int:
    """Add the pieces of the order ``job`` does, installed on ``day``; return how many.

    Not an installation job, or one whose pieces are already in: nothing happens (0).
    """
    query = select(m.Installation).where(m.Installation.job_id == job.id).with_for_update()
    order = session.scalar(query)
    if order is None or order.installed_on is not None:
        return 0
    site = session.get_one(m.Site, order.site_id)
    point = to_db_geometry(from_db_geometry(site.location))
    lines = session.scalars(
        select(m.InstallationLine)
        .where(m.InstallationLine.installation_id == order.id)
        .order_by(m.InstallationLine.model_id)
    )
    pieces = [
        m.Furniture(
            site_id=order.site_id,
            model_id=line.model_id,
            serial=f"INST-{order.id}-{line.model_id}-{number}",
            installed_on=day,
            condition_grade=0,
            location=point,
        )
        for line in lines
        for number in range(1, line.count + 1)
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
    order.installed_on = day
    session.flush()
    return len(pieces)
