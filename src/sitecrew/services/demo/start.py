"""Starting the demo without losing work: load only into an empty database, hand out a token.

``scripts/demo.sh`` is the obvious way to start the demo *again*, so starting must never destroy
anything. :func:`start_demo` loads the demo world only when the database holds no data at all;
otherwise it leaves every row as it is (tokens, routes, edits) and says so. Wiping is a separate,
explicit command: ``sitecrew demo load --replace``.

Either way it hands out a ready-made planner token. A token's secret is shown only when it is
created (only its hash is stored), so each start creates a fresh one, named
:data:`DEMO_TOKEN_NAME`. Earlier demo tokens keep working (a browser signed in with one stays
signed in across a restart) until they expire; ``sitecrew token list`` shows them and
``sitecrew token revoke`` ends one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from sitecrew.db import models as m
from sitecrew.domain.access import Role
from sitecrew.services.access import IssuedToken, create_token, list_tokens
from sitecrew.services.demo import DEFAULT_TARGET_FLATS, DemoSummary, load_demo, summarise
from sitecrew.services.demo.calendar import next_working_day
from sitecrew.services.progress import ProgressCallback, no_progress

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.orm import Session

#: The name that marks the planner tokens :func:`start_demo` hands out.
DEMO_TOKEN_NAME = "demo planner"  # noqa: S105 (a label, not a secret)
#: The demo region's time zone: its "today" decides the default plan day.
DEMO_TIMEZONE = "Europe/Oslo"


@dataclass(frozen=True)
class DemoStart:
    """What starting the demo did.

    ``loaded`` is true when the demo world was loaded now, false when the database already held
    data and was left as it was; ``held`` counts what the database holds afterwards.
    """

    loaded: bool
    held: DemoSummary
    token: IssuedToken
    earlier_tokens: int


def default_plan_day(today: date | None = None) -> date:
    """Return the demo's plan day: the next working day after ``today`` (default: now in Oslo).

    See :func:`~sitecrew.services.demo.calendar.next_working_day`.
    """
    return next_working_day(today or datetime.now(ZoneInfo(DEMO_TIMEZONE)).date())


def holds_data(session: Session) -> bool:
    """Return whether the database holds any organisation (every demo or real world has one)."""
    return bool(session.scalar(select(func.count()).select_from(m.Organisation)))


def start_demo(
    session: Session,
    extract: Path,
    *,
    region_name: str,
    plan_day: date,
    street_region: str | None = "oslo",
    target_flats: int = DEFAULT_TARGET_FLATS,
    progress: ProgressCallback = no_progress,
) -> DemoStart:
    """Load the demo into an empty database (never into one holding data) and issue a token.

    Parameters
    ----------
    session
        An open session; the caller commits.
    extract
        The OpenStreetMap extract to build the demo from (read only when loading).
    region_name, plan_day, street_region, target_flats
        As for :func:`~sitecrew.services.demo.load_demo`.
    progress
        Told how loading goes.

    Returns
    -------
    DemoStart
        Whether the demo was loaded, what the database holds, and the new planner token.

    Raises
    ------
    NotFoundError
        When the database is empty and the extract does not exist.
    """
    loaded = not holds_data(session)
    if loaded:
        load_demo(
            session,
            extract,
            region_name=region_name,
            plan_day=plan_day,
            street_region=street_region,
            target_flats=target_flats,
            progress=progress,
        )
    earlier = count_demo_tokens(session)
    token = create_token(
        session, name=DEMO_TOKEN_NAME, role=Role.PLANNER, region_id=_only_region(session)
    )
    return DemoStart(loaded, summarise(session, _region_label(session)), token, earlier)


def count_demo_tokens(session: Session) -> int:
    """Return how many demo tokens handed out before still work (not revoked, not expired)."""
    now = datetime.now(UTC)
    return sum(1 for t in list_tokens(session) if t.name == DEMO_TOKEN_NAME and t.is_active(now))


def _only_region(session: Session) -> int | None:
    """Return the id of the database's one region; None (a planner of all) when there are more."""
    ids = list(session.scalars(select(m.Region.id).order_by(m.Region.id).limit(2)))
    return ids[0] if len(ids) == 1 else None


def _region_label(session: Session) -> str:
    names = list(session.scalars(select(m.Region.name).order_by(m.Region.id)))
    return ", ".join(names) or "no region"
