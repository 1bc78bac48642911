"""Setting how a tenant is told: language and SMS opt-out (admins and the region's planners)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from sitecrew.api.context import Context
from sitecrew.api.mutations.problems import Forbidden, InvalidInput, NotFound, returns_problems
from sitecrew.api.notifications.enums import Language
from sitecrew.domain.ids import parse_id
from sitecrew.services.notifications.preferences import (
    MessagePreferences,
    SetMessagePreferences,
    set_message_preferences,
)

Info = strawberry.Info[Context, None]


@strawberry.type(description="How an apartment's tenant is told.")
class TenantMessagePreferences:
    apartment_id: strawberry.ID
    language: Language | None = strawberry.field(
        description="The language of messages; null: the region's (Swedish, Norwegian, else "
        "English)."
    )
    sms_opt_out: bool = strawberry.field(description="No text messages (e-mail still goes).")
    skipped: int = strawberry.field(
        description="Waiting text messages this opt-out skipped (never sent)."
    )

    @classmethod
    def from_domain(cls, found: MessagePreferences) -> TenantMessagePreferences:
        """Convert the service's answer."""
        return cls(
            apartment_id=strawberry.ID(str(found.apartment_id)),
            language=found.language,
            sms_opt_out=found.sms_opt_out,
            skipped=found.skipped,
        )


SetTenantMessagePreferencesPayload = Annotated[
    TenantMessagePreferences | InvalidInput | NotFound | Forbidden,
    strawberry.union("SetTenantMessagePreferencesPayload"),
]


@strawberry.input
class SetTenantMessagePreferencesInput:
    apartment_id: strawberry.ID
    language: Language | None = None
    sms_opt_out: bool = False


@strawberry.type
class NotificationMutations:
    @strawberry.mutation(
        description="Set a tenant's message language and SMS opt-out (admins and the region's "
        "planners); opting out skips the text messages still waiting."
    )
    @returns_problems
    async def set_tenant_message_preferences(
        self, info: Info, input: SetTenantMessagePreferencesInput
    ) -> SetTenantMessagePreferencesPayload:
        context = info.context
        command = SetMessagePreferences(
            apartment_id=parse_id(input.apartment_id, "apartment"),
            language=input.language,
            sms_opt_out=input.sms_opt_out,
        )
        found = await context.write(set_message_preferences, context.user, command)
        return TenantMessagePreferences.from_domain(found)
