"""Appointment offers in GraphQL (issue 16): the windows a crew can really make for a flat."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from sitecrew.api.context import Context
from sitecrew.domain.ids import parse_id
from sitecrew.domain.offers import MAX_OFFER_DAYS, MAX_OFFERS, AppointmentOffer, OfferQuery
from sitecrew.services.appointments.offers import appointment_offers

Info = strawberry.Info[Context, None]


@strawberry.type(name="AppointmentOffer")
class AppointmentOfferType:
    """A two-hour window a crew can add the visit to its day in, and what it costs that day."""

    date: dt.date
    window_start: dt.datetime = strawberry.field(description="Opens (region's local time).")
    window_end: dt.datetime
    crew_id: strawberry.ID
    crew_name: str
    extra_travel_seconds: int = strawberry.field(description="Detour the visit adds.")
    extra_time_seconds: int = strawberry.field(
        description="How much longer the crew works: detour, setup and the visit itself."
    )
    same_building: bool = strawberry.field(
        description="Next to a visit already planned in the same building (offered first)."
    )

    @classmethod
    def from_domain(cls, offer: AppointmentOffer) -> AppointmentOfferType:
        """Return the GraphQL view of an offer."""
        return cls(
            date=offer.day,
            window_start=offer.window_start,
            window_end=offer.window_end,
            crew_id=strawberry.ID(str(offer.crew_id)),
            crew_name=offer.crew_name,
            extra_travel_seconds=offer.extra_travel_s,
            extra_time_seconds=offer.extra_time_s,
            same_building=offer.same_building,
        )


@strawberry.type
class AppointmentQueries:
    @strawberry.field(
        description=(
            "Windows in which a crew allowed in the apartment's district can add a visit to its "
            "current day without breaking a confirmed appointment, its shift or its break; "
            "same building first, then cheapest. Days 'from'..'to' (both included, at most "
            f"{MAX_OFFER_DAYS}); at most 'limit' (1..{MAX_OFFERS}) offers. Admins, the region's "
            "planners, and contractors for their districts."
        )
    )
    async def appointment_offers(
        self,
        info: Info,
        apartment_id: strawberry.ID,
        from_: Annotated[dt.date, strawberry.argument(name="from")],
        to: dt.date,
        limit: int = 10,
    ) -> list[AppointmentOfferType]:
        context = info.context
        query = OfferQuery(parse_id(apartment_id, "apartment"), from_, to, limit)
        found = await context.read(
            appointment_offers, context.user, query, osm=context.settings.osm
        )
        return [AppointmentOfferType.from_domain(offer) for offer in found]
