"""The visit an apartment would be booked for: kind, service time, skills, place and site.

An offer is only as good as its service time: the day planner will be given the same job, so
the visit is built as the planner builds its jobs (:class:`~sitecrew.services.planning.load_jobs.
JobRow`). Which visit, in this order:

1. the apartment's open (or scheduled) job, newest first: booking it moves that job;
2. else its home in an active campaign: the campaign's job kind and its service time model
   (minutes per home, as the campaign materialises its visits);
3. else a media-box installation with the kind's default minutes, the work apartments get.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.models._columns import from_db_geometry
from sitecrew.domain.campaigns import CampaignStatus, HomeState
from sitecrew.domain.jobs import DEFAULT_MINUTES, DEFAULT_SKILLS, JobKind, JobStatus
from sitecrew.services.planning.load_jobs import JobRow, job_rows

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

_OPEN = (JobStatus.OPEN.value, JobStatus.SCHEDULED.value)
_WAITING = (HomeState.PENDING.value, HomeState.PROPOSED.value, HomeState.CONFIRMED.value)
#: The priority a new visit gets (the demo's and the campaigns' installations have it too).
NEW_VISIT_PRIORITY = 3


@dataclass(frozen=True)
class OfferedVisit:
    """The visit to place: the job as the planner reads it, and the job's id when it exists.

    ``job_id`` is set when the apartment's own open job is being booked (or moved): its current
    stop is then left out of the crews' days, since the booking takes it away from there.
    """

    row: JobRow
    job_id: int | None


def visit_for_apartment(session: Session, apartment: m.Apartment, region_id: int) -> OfferedVisit:
    """Return the visit to offer windows for (see the module docstring for which)."""
    job_id = session.scalar(
        select(m.Job.id)
        .where(m.Job.apartment_id == apartment.id, m.Job.status.in_(_OPEN))
        .order_by(m.Job.id.desc())
        .limit(1)
    )
    if job_id is not None:
        [row] = job_rows(session, region_id=region_id, statuses=_OPEN, ids=[job_id])
        return OfferedVisit(row, job_id)
    campaign = session.execute(
        select(m.Campaign.job_kind, m.Campaign.minutes_per_home)
        .join(m.CampaignHome, m.CampaignHome.campaign_id == m.Campaign.id)
        .where(
            m.CampaignHome.apartment_id == apartment.id,
            m.CampaignHome.state.in_(_WAITING),
            m.Campaign.status == CampaignStatus.ACTIVE.value,
        )
        .order_by(m.Campaign.id.desc())
        .limit(1)
    ).first()
    if campaign is not None:
        kind = JobKind(campaign.job_kind)
        minutes = max(1, math.ceil(campaign.minutes_per_home))
    else:
        kind = JobKind.INSTALL_MEDIA_BOX
        minutes = DEFAULT_MINUTES[kind]
    return OfferedVisit(_new_row(apartment, kind, minutes), None)


def _new_row(apartment: m.Apartment, kind: JobKind, minutes: int) -> JobRow:
    """Return the planner's view of a job not created yet (as ``job_rows`` would read it)."""
    shape = from_db_geometry(apartment.location)
    return JobRow(
        id=0,
        kind=kind,
        minutes=minutes,
        skills=frozenset(skill.value for skill in DEFAULT_SKILLS.get(kind, frozenset())),
        priority=NEW_VISIT_PRIORITY,
        point=None if shape is None else (float(shape.x), float(shape.y)),
        district_id=apartment.district_id,
        setup_group=f"building:{apartment.building_id}",
        site_kind=None,
    )
