"""Mutations on jobs and appointments: parse the input, call one use case, convert the result.

Access, validation against stored rows and the write all happen in the use case
(``services/jobs.py``); ``returns_problems`` turns its expected errors into payload members.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Annotated

import strawberry

from sitecrew.api.context import Context
from sitecrew.api.mutations.problems import (
    Conflict,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
    returns_problems,
)
from sitecrew.api.types.enums import JobKind, JobStatus
from sitecrew.api.types.places import REGION_FIELD
from sitecrew.api.types.work import Appointment, Job
from sitecrew.domain import job_commands as cmd
from sitecrew.domain import jobs as dj
from sitecrew.domain.ids import parse_id, parse_optional_id
from sitecrew.services import jobs as job_service
from sitecrew.services import regions as region_service

Info = strawberry.Info[Context, None]
JobPayload = Annotated[
    Job | InvalidInput | NotFound | Forbidden | Conflict | IllegalTransition,
    strawberry.union("JobPayload"),
]
AppointmentPayload = Annotated[
    Appointment | InvalidInput | NotFound | Forbidden | Conflict,
    strawberry.union("AppointmentPayload"),
]
_VERSION = "The version you last read (a stale one is a Conflict)."


@strawberry.input
class CreateJobInput:
    kind: JobKind
    region: str = strawberry.field(description=REGION_FIELD)
    furniture_id: strawberry.ID | None = None
    apartment_id: strawberry.ID | None = None
    site_id: strawberry.ID | None = None
    duration_minutes: int | None = None
    priority: int = 3
    due_on: dt.date | None = None
    notes: str | None = None


@strawberry.input
class ChangeJobStatusInput:
    id: strawberry.ID
    status: JobStatus
    version: int = strawberry.field(description=_VERSION)


@strawberry.input
class BookAppointmentInput:
    job_id: strawberry.ID
    window_start: dt.datetime
    window_end: dt.datetime
    notes: str | None = None


@strawberry.input
class RescheduleAppointmentInput:
    id: strawberry.ID
    version: int = strawberry.field(description=_VERSION)
    window_start: dt.datetime
    window_end: dt.datetime


@strawberry.input
class CancelAppointmentInput:
    id: strawberry.ID
    version: int = strawberry.field(description=_VERSION)


def _create_job_command(data: CreateJobInput, region_id: int) -> cmd.CreateJob:
    target = dj.JobTarget(
        parse_optional_id(data.furniture_id, "furniture"),
        parse_optional_id(data.apartment_id, "apartment"),
        parse_optional_id(data.site_id, "site"),
    )
    return cmd.CreateJob(
        dj.JobKind(data.kind.value),
        target,
        region_id,
        duration_minutes=data.duration_minutes,
        priority=data.priority,
        due_on=data.due_on,
        notes=data.notes,
    )


@strawberry.type
class JobMutations:
    @strawberry.mutation(description="Create a job at exactly one target, in its region.")
    @returns_problems
    async def create_job(self, info: Info, input: CreateJobInput) -> JobPayload:
        job = await info.context.write(
            region_service.in_region,
            info.context.user,
            input.region,
            job_service.create_job,
            partial(_create_job_command, input),
        )
        return Job.from_domain(job)

    @strawberry.mutation(
        description="Move a job along its lifecycle; a stale version is a Conflict."
    )
    @returns_problems
    async def change_job_status(self, info: Info, input: ChangeJobStatusInput) -> JobPayload:
        status = dj.JobStatus(input.status.value)
        command = cmd.ChangeJobStatus(parse_id(input.id, "job"), status, input.version)
        job = await info.context.write(job_service.change_job_status, info.context.user, command)
        return Job.from_domain(job)

    @strawberry.mutation(
        description="Book a visit window (at most 12 hours) with the tenant for a job; a window "
        "overlapping another confirmed appointment of the job is a Conflict, and in a region "
        "with streets a window no crew can still make is a Conflict WINDOW_NOT_OFFERED "
        "(re-checked at write time, as tenants' bookings are)."
    )
    @returns_problems
    async def book_appointment(self, info: Info, input: BookAppointmentInput) -> AppointmentPayload:
        window = dj.TimeWindow(input.window_start, input.window_end)
        command = cmd.BookAppointment(parse_id(input.job_id, "job"), window, input.notes)
        stored = await info.context.write(
            job_service.book_appointment, info.context.user, command, osm=info.context.settings.osm
        )
        return Appointment.from_domain(stored)

    @strawberry.mutation(
        description="Move an appointment to a new window; a stale version is a Conflict."
    )
    @returns_problems
    async def reschedule_appointment(
        self, info: Info, input: RescheduleAppointmentInput
    ) -> AppointmentPayload:
        window = dj.TimeWindow(input.window_start, input.window_end)
        appointment_id = parse_id(input.id, "appointment")
        command = cmd.RescheduleAppointment(appointment_id, input.version, window)
        stored = await info.context.write(
            job_service.reschedule_appointment, info.context.user, command
        )
        return Appointment.from_domain(stored)

    @strawberry.mutation(description="Cancel an appointment; a stale version is a Conflict.")
    @returns_problems
    async def cancel_appointment(
        self, info: Info, input: CancelAppointmentInput
    ) -> AppointmentPayload:
        command = cmd.CancelAppointment(parse_id(input.id, "appointment"), input.version)
        stored = await info.context.write(
            job_service.cancel_appointment, info.context.user, command
        )
        return Appointment.from_domain(stored)
