"""An installation order and its lines as GraphQL types."""

from __future__ import annotations

from datetime import date

import strawberry

from sitecrew.api.types.enums import JobStatus
from sitecrew.domain.installations import Installation as DomainInstallation


@strawberry.type(description="Pieces of one catalogue model to install, and minutes per piece.")
class InstallationLine:
    model_id: strawberry.ID
    count: int
    minutes_per_piece: int


@strawberry.type(
    description="New furniture to install at a site, done by one two-person job with the van; "
    "the job's status is the order's, and when it is done the pieces enter the register."
)
class Installation:
    id: strawberry.ID
    region_id: strawberry.ID
    site_id: strawberry.ID
    job_id: strawberry.ID
    status: JobStatus
    wanted_from: date
    wanted_to: date
    lines: list[InstallationLine]
    pieces: int
    notes: str | None
    installed_on: date | None = strawberry.field(
        description="The day the job was done and the pieces were put in (null: not yet)."
    )
    furniture_ids: list[strawberry.ID] = strawberry.field(
        description="The register's new pieces, once installed."
    )
    version: int = strawberry.field(description="Its job's version: send it to cancel.")

    @classmethod
    def from_domain(cls, order: DomainInstallation) -> Installation:
        """Convert a domain installation."""
        return cls(
            id=strawberry.ID(str(order.id)),
            region_id=strawberry.ID(str(order.region_id)),
            site_id=strawberry.ID(str(order.site_id)),
            job_id=strawberry.ID(str(order.job_id)),
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
