"""A completed care job advances the cycles of the pieces it covered; an installation adds them.

Each piece's next action is counted from the last time it was done (:mod:`.state`), and a care
job's pieces were done the day the job was: stamping that day on the job's items is all it
takes. The day is the region's local date, the one its crews work by. A done installation job
puts its new pieces in the register that day (:mod:`.installing`), so their cycles start then.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import update

from sitecrew.db import models as m
from sitecrew.errors import InvalidInputError
from sitecrew.services.care.installing import install_pieces

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def record_care_done(session: Session, job: m.Job, *, today: date | None = None) -> int:
    """Stamp the day a job was done on its pieces (none: not care work); install an order's.

    ``today`` is the day the work was done (default: the region's today; never later).

    Returns
    -------
    int
        How many pieces' cycles moved on or started (new pieces installed).

    Raises
    ------
    InvalidInputError
        When ``today`` lies after the region's today.
    """
    timezone = session.get_one(m.Region, job.region_id).timezone
    local_today = datetime.now(UTC).astimezone(ZoneInfo(timezone)).date()
    if today is None:
        today = local_today
    elif today > local_today:
        raise InvalidInputError(f"work cannot be done on a future day ({today})")
    result = session.execute(
        update(m.JobItem)
        .where(m.JobItem.job_id == job.id, m.JobItem.done_on.is_(None))
        .values(done_on=today)
        .execution_options(synchronize_session=False)
    )
    stamped = int(result.rowcount or 0)  # type: ignore[attr-defined]
    return stamped + install_pieces(session, job, today)
