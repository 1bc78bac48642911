"""An installation order and its lines as GraphQL types."""

from __future__ import annotations

from datetime import date

import strawberry

from sitecrew.api.types.enums import JobStatus
from sitecrew.domain.installations import Installation as DomainInstallation
from sitecrew.domain.installations import InstallationPart as DomainPart


@strawberry.type(description="Pieces of one catalogue model to install, and minutes per piece.")
class InstallationLine:
    model_id: strawberry.ID
    count: int
    minutes_per_piece: int


@strawberry.type(description="Pieces of one catalogue model a part puts in.")
class InstallationPieces:
    model_id: strawberry.ID
    count: int


@strawberry.type(
    description="One job of an installation, at most one crew-day: its pieces enter the "
    "register when its job is done."
)
class InstallationPart:
    job_id: strawberry.ID
    part: int = strawberry.field(description="Its number in the order, from 1.")
    pieces: list[InstallationPieces]
    status: JobStatus = strawberry.field(description="Its job's status.")
    installed_on: date | None

    @classmethod
    def from_domain(cls, part: DomainPart) -> InstallationPart:
        """Convert a domain installation part."""
        return cls(
            job_id=strawberry.ID(str(part.job_id)),
            part=part.part,
            pieces=[
                InstallationPieces(model_id=strawberry.ID(str(line.model_id)), count=line.count)
                for line in part.pieces
            ],
            status=part.status,
            installed_on=part.installed_on,
        )


@strawberry.type(
    description="New furniture to install at a site, done by one two-person job with the van "
    "per part (each at most one crew-day); its status is derived from its parts' (open, "
    "scheduled, in progress once a part is under way or done, done, cancelled), and each "
    "part's pieces enter the register when its job is done."
)
class Installation:
    id: strawberry.ID
    region_id: strawberry.ID
    site_id: strawberry.ID
    parts: list[InstallationPart]
    status: JobStatus
    wanted_from: date
    wanted_to: date
    lines: list[InstallationLine]
    pieces: int
    notes: str | None
    installed_on: date | None = strawberry.field(
        description="The day its last part was done (null: a part is still to do)."
    )
    furniture_ids: list[strawberry.ID] = strawberry.field(
        description="The register's new pieces, once installed."
    )
    version: int = strawberry.field(
        description="Its parts' job versions summed (any part's change moves it): send it to "
        "cancel."
    )

    @classmethod
    def from_domain(cls, order: DomainInstallation) -> Installation:
        """Convert a domain installation."""
        return cls(
            id=strawberry.ID(str(order.id)),
            region_id=strawberry.ID(str(order.region_id)),
            site_id=strawberry.ID(str(order.site_id)),
            parts=[InstallationPart.from_domain(part) for part in order.parts],
            status=order.status,
            wanted_from=order.wanted_from,
            wanted_to=order.wanted_to,
            lines=[
                InstallationLine(
                    model_id=strawberry.ID(str(line.model_id)),
                    count=line.count,
                    minutes_per_piece=line.minutes_per_piece,
                )
                for line in order.lines
            ],
            pieces=order.pieces,
            notes=order.notes,
            installed_on=order.installed_on,
            furniture_ids=[strawberry.ID(str(item)) for item in order.furniture_ids],
            version=order.version,
        )
