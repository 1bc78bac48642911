"""Use cases that queue messages for a day: the week's proposals and the day-before reminders.

Both are idempotent (each message's key names the home and its window): run them from cron as
often as you like, and a window that moved since is told again. A planner queues them for the
campaigns of their region, an admin for every campaign.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.domain.campaigns import CampaignStatus, HomeState
from sitecrew.domain.notifications import NotificationKind
from sitecrew.domain.rules import require_plausible_date, require_range
from sitecrew.services.notifications.campaign_messages import tell_home_window
from sitecrew.services.scoping import get_visible, readable_notifications, visible

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal

_ON_A_DAY = (HomeState.PROPOSED.value, HomeState.CONFIRMED.value)


@dataclass(frozen=True)
class TellDays:
    """Queue ``kind`` messages for the homes visited from ``first_day`` for ``days`` days.

    ``campaign_id`` narrows it to one campaign (else every active campaign the caller plans).
    """

    first_day: date
    days: int = 1
    campaign_id: int | None = None

    def __post_init__(self) -> None:
        require_plausible_date(self.first_day, "day")
        require_range(self.days, "days", low=1, high=31)


def tell_reminders(session: Session, principal: Principal, command: TellDays) -> int:
    """Queue the day-before reminders for the homes visited on ``command.first_day`` (and on).

    Every proposed or confirmed home of those days is reminded once per window; returns how
    many messages were written now (0 when run again).

    Raises
    ------
    PermissionDeniedError
        For crews and contractors.
    NotFoundError
        When ``command.campaign_id`` names no campaign the caller may read.
    """
    return _tell_days(session, principal, command, NotificationKind.REMINDER)


def tell_proposals(session: Session, principal: Principal, command: TellDays) -> int:
    """Queue a proposal for each home whose window in those days the tenant has not confirmed.

    Raises
    ------
    PermissionDeniedError
        For crews and contractors.
    NotFoundError
        When ``command.campaign_id`` names no campaign the caller may read.
    """
    return _tell_days(session, principal, command, NotificationKind.PROPOSAL)


def _tell_days(
    session: Session, principal: Principal, command: TellDays, kind: NotificationKind
) -> int:
    action = f"queue {kind.value} messages"
    with transaction(session):
        readable_notifications(principal, action=action)
        campaigns = select(m.Campaign.id).where(
            m.Campaign.status == CampaignStatus.ACTIVE.value, visible(m.Campaign, principal)
        )
        if command.campaign_id is not None:
            get_visible(session, principal, m.Campaign, command.campaign_id)
            campaigns = campaigns.where(m.Campaign.id == command.campaign_id)
        states = _ON_A_DAY if kind is NotificationKind.REMINDER else (HomeState.PROPOSED.value,)
        last_day = command.first_day + timedelta(days=command.days - 1)
        homes = session.scalars(
            select(m.CampaignHome)
            .where(
                m.CampaignHome.campaign_id.in_(campaigns),
                m.CampaignHome.day >= command.first_day,
                m.CampaignHome.day <= last_day,
                m.CampaignHome.state.in_(states),
                m.CampaignHome.window_start.is_not(None),
            )
            .order_by(m.CampaignHome.id)
        ).all()
        return sum(len(tell_home_window(session, home, kind)) for home in homes)
