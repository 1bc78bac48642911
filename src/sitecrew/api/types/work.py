"""Depots, crews, crew members, jobs and appointments."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from sitecrew.api.context import Context
from sitecrew.api.loaders import now_or_later
from sitecrew.api.scalars import GeoJSON
from sitecrew.api.types import calendars as cal
from sitecrew.api.types.enums import AppointmentStatus, CrewRole, JobKind, JobStatus, Skill
from sitecrew.api.types.places import Apartment, Furniture, Organisation, Site
from sitecrew.services.reading.entities import Entity

Info = strawberry.Info[Context, None]


def _id(value: int | None) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(str(value))


def _members(found: list[Any]) -> list[CrewMember]:
    return [CrewMember.from_domain(member) for member in found]


def _appointments(found: list[Any]) -> list[Appointment]:
    return [Appointment.from_domain(appointment) for appointment in found]


@strawberry.type(description="Where a crew's day starts and ends.")
class Depot:
    id: strawberry.ID
    name: str
    address: str | None
    lon: float
    lat: float
    location: GeoJSON
    region_id: strawberry.ID
    version: int = strawberry.field(description="Send it back with an update (stale: Conflict).")

    @classmethod
    def from_domain(cls, depot: Any) -> Depot:
        """Build from ``domain.crews.Depot``."""
        return cls(
            id=strawberry.ID(str(depot.id)),
            name=depot.name,
            address=depot.address,
            lon=depot.location.x,
            lat=depot.location.y,
            location=depot.location,
            region_id=strawberry.ID(str(depot.region_id)),
            version=depot.version,
        )


@strawberry.type(description="A person in a crew.")
class CrewMember:
    id: strawberry.ID
    name: str
    role: CrewRole
    skills: list[Skill]
    training_completed_on: dt.date | None
    crew_id: strawberry.ID
    version: int = strawberry.field(description="Send it back with an update (stale: Conflict).")

    @classmethod
    def from_domain(cls, member: Any) -> CrewMember:
        """Build from ``domain.crews.CrewMember``."""
        return cls(
            id=strawberry.ID(str(member.id)),
            name=member.name,
            role=member.role,
            skills=sorted(member.skills),
            training_completed_on=member.training_completed_on,
            crew_id=strawberry.ID(str(member.crew_id)),
            version=member.version,
        )


@strawberry.type(description="A team routed as one vehicle.")
class Crew:
    id: strawberry.ID
    name: str
    region_id: strawberry.ID
    shift_start: dt.time
    shift_end: dt.time
    lunch_minutes: int
    max_jobs_per_day: int
    skills: list[Skill]
    lunch_earliest: dt.time = strawberry.field(description="Lunch starts no earlier than this.")
    lunch_latest: dt.time = strawberry.field(description="Lunch starts no later than this.")
    version: int = strawberry.field(description="Send it back with an update (stale: Conflict).")
    week_pattern: list[cal.DayShift | None] = strawberry.field(description=cal.WEEK_PATTERN_FIELD)
    active_from: dt.date | None = strawberry.field(description="First day (null: no start).")
    active_until: dt.date | None = strawberry.field(description="Last day (null: open-ended).")
    min_members: int = strawberry.field(description="With fewer present the crew is off.")
    works_public_holidays: bool = strawberry.field(description="Works on public holidays.")
    absences: list[cal.Absence] = strawberry.field(
        resolver=cal.crew_absences, description=cal.ABSENCES_FIELD
    )
    availability: list[cal.CrewDay] = strawberry.field(
        resolver=cal.crew_availability, description=cal.AVAILABILITY_FIELD
    )
    depot_id: strawberry.Private[int]
    organisation_id: strawberry.Private[int | None]

    # Relations answer at once when their loader already holds the row (see ``now_or_later``).
    @strawberry.field(
        description="The organisation the crew works for, if any.",
        graphql_type=Organisation | None,
    )
    def organisation(self, info: Info) -> Any:
        if self.organisation_id is None:
            return None
        loader = info.context.loaders.by_id[Entity.ORGANISATION]
        return now_or_later(loader, self.organisation_id, Organisation.from_domain)

    @strawberry.field(graphql_type=Depot)
    def depot(self, info: Info) -> Any:
        loader = info.context.loaders.by_id[Entity.DEPOT]
        return now_or_later(loader, self.depot_id, Depot.from_domain)

    @strawberry.field(graphql_type=list[CrewMember])
    def members(self, info: Info) -> Any:
        loader = info.context.loaders.members_by_crew
        return now_or_later(loader, int(self.id), _members)

    @classmethod
    def from_domain(cls, crew: Any) -> Crew:
        """Build from ``domain.crews.Crew``."""
        return cls(
            id=strawberry.ID(str(crew.id)),
            name=crew.name,
            region_id=strawberry.ID(str(crew.region_id)),
            shift_start=crew.shift_start,
            shift_end=crew.shift_end,
            lunch_minutes=crew.lunch_minutes,
            max_jobs_per_day=crew.max_jobs_per_day,
            skills=sorted(crew.skills),
            lunch_earliest=crew.lunch_earliest,
            lunch_latest=crew.lunch_latest,
            version=crew.version,
            week_pattern=cal.week_of(crew),
            active_from=crew.active_from,
            active_until=crew.active_until,
            min_members=crew.min_members,
            works_public_holidays=crew.works_public_holidays,
            depot_id=crew.depot_id,
            organisation_id=crew.organisation_id,
        )


@strawberry.type(description="A visit window agreed with a tenant.")
class Appointment:
    id: strawberry.ID
    job_id: strawberry.ID
    window_start: dt.datetime
    window_end: dt.datetime
    status: AppointmentStatus
    notes: str | None
    version: int = strawberry.field(description="Send it back with changes (optimistic locking).")

    @classmethod
    def from_domain(cls, appointment: Any) -> Appointment:
        """Build from ``domain.jobs.Appointment``."""
        return cls(
            id=strawberry.ID(str(appointment.id)),
            job_id=strawberry.ID(str(appointment.job_id)),
            window_start=appointment.window.start,
            window_end=appointment.window.end,
            status=appointment.status,
            notes=appointment.notes,
            version=appointment.version,
        )


@strawberry.type(description="A piece of work at one target (furniture, apartment or site).")
class Job:
    id: strawberry.ID
    kind: JobKind
    status: JobStatus
    version: int = strawberry.field(description="Send it back with changes (optimistic locking).")
    priority: int
    due_on: dt.date | None
    duration_minutes: int
    required_skills: list[Skill]
    notes: str | None
    region_id: strawberry.ID
    furniture_id: strawberry.ID | None
    apartment_id: strawberry.ID | None
    site_id: strawberry.ID | None

    @strawberry.field(graphql_type=Furniture | None)
    def furniture(self, info: Info) -> Any:
        if self.furniture_id is None:
            return None
        loader = info.context.loaders.by_id[Entity.FURNITURE]
        return now_or_later(loader, int(self.furniture_id), Furniture.from_domain)

    @strawberry.field(graphql_type=Apartment | None)
    def apartment(self, info: Info) -> Any:
        if self.apartment_id is None:
            return None
        loaders = info.context.loaders
        loaders.with_buildings_if_asked(info)
        loader = loaders.by_id[Entity.APARTMENT]
        return now_or_later(loader, int(self.apartment_id), Apartment.from_domain)

    @strawberry.field(graphql_type=Site | None)
    def site(self, info: Info) -> Any:
        if self.site_id is None:
            return None
        loader = info.context.loaders.by_id[Entity.SITE]
        return now_or_later(loader, int(self.site_id), Site.from_domain)

    @strawberry.field(graphql_type=list[Appointment])
    def appointments(self, info: Info) -> Any:
        loader = info.context.loaders.appointments_by_job
        return now_or_later(loader, int(self.id), _appointments)

    @classmethod
    def from_domain(cls, job: Any) -> Job:
        """Build from ``domain.jobs.Job``."""
        target = job.target
        return cls(
            id=strawberry.ID(str(job.id)),
            kind=job.kind,
            status=job.status,
            version=job.version,
            priority=job.priority,
            due_on=job.due_on,
            duration_minutes=job.duration_minutes,
            required_skills=sorted(job.required_skills),
            notes=job.notes,
            region_id=strawberry.ID(str(job.region_id)),
            furniture_id=_id(target.furniture_id),
            apartment_id=_id(target.apartment_id),
            site_id=_id(target.site_id),
        )
