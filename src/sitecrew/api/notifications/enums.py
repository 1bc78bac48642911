"""The outbox's enums in GraphQL, registered once, before any type that names them."""

from __future__ import annotations

import strawberry

from sitecrew.domain.notifications import (
    Channel,
    Language,
    NotificationKind,
    NotificationStatus,
)

strawberry.enum(NotificationKind)
strawberry.enum(NotificationStatus)
strawberry.enum(Channel, name="NotificationChannel")
strawberry.enum(Language, name="NotificationLanguage")

__all__ = ["Channel", "Language", "NotificationKind", "NotificationStatus"]
