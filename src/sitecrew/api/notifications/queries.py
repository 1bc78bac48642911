"""Outbox queries: a page of messages, by campaign and status (admins and region planners)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from sitecrew.api.context import Context
from sitecrew.api.notifications.enums import NotificationStatus
from sitecrew.api.notifications.types import Notification
from sitecrew.api.pagination import Connection, check_page_size, connection_of, decode_cursor
from sitecrew.domain.ids import parse_id
from sitecrew.services.notifications import ListNotifications, list_notifications

Info = strawberry.Info[Context, None]
DEFAULT_PAGE = 50


@strawberry.type
class NotificationQueries:
    @strawberry.field(
        description="Messages to tenants by id: status, attempts, last error and next attempt "
        "(admins and the region's planners; crews and contractors: FORBIDDEN)."
    )
    async def notifications(
        self,
        info: Info,
        campaign_id: strawberry.ID | None = None,
        status: Annotated[
            NotificationStatus | None,
            strawberry.argument(description="Only messages in this status (FAILED: what to fix)."),
        ] = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[Notification]:
        context = info.context
        query = ListNotifications(
            limit=check_page_size(first, context.settings.server.max_page_size),
            campaign_id=None if campaign_id is None else parse_id(campaign_id, "campaign"),
            status=status,
            after_id=decode_cursor(after),
        )
        found, has_next = await context.read(list_notifications, context.user, query)
        return connection_of(
            [Notification.from_domain(item) for item in found],
            [item.id for item in found],
            has_next=has_next,
        )
