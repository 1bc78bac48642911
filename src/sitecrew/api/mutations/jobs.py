"""Mutations on jobs and appointments."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from sitecrew.api.context import Context
from sitecrew.api.mutations.problems import (
    Conflict,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
    problem_from,
)
from sitecrew.api.types.enums import JobKind, JobStatus
from sitecrew.api.types.work import Appointment, Job
from sitecrew.domain import jobs as dj
from sitecrew.domain.access import Role
from sitecrew.domain.ids import parse_id, parse_optional_id
from sitecrew.errors import SitecrewError
from sitecrew.services import editing
from sitecrew.services import jobs as job_service

Info = strawberry.Info[Context, None]
JobPayload = Annotated[
    Job | InvalidInput | NotFound | Forbidden | Conflict | IllegalTransition,
    strawberry.union("JobPayload"),
]
AppointmentPayload = Annotated[
    Appointment | InvalidInput | NotFound | Forbidden | Conflict,
    strawberry.union("AppointmentPayload"),
]


@strawberry.input
class CreateJobInput:
    kind: JobKind
    region_id: strawberry.ID
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
    version: int = strawberry.field(description="The version you last read.")


@strawberry.input
class BookAppointmentInput:
    job_id: strawberry.ID
    window_start: dt.datetime
    window_end: dt.datetime
    notes: str | None = None


@strawberry.input
class RescheduleAppointmentInput:
    id: strawberry.ID
    window_start: dt.datetime
    window_end: dt.datetime


@strawberry.input
class CancelAppointmentInput:
    id: strawberry.ID


async def _may_change_appointment(info: Info, appointment_id: int, action: str) -> None:
    user = info.context.user
    user.require(Role.ADMIN, Role.PLANNER, Role.CONTRACTOR, action=action)
    job_id = await info.context.read(editing.appointment_job_id, appointment_id)
    await info.context.read(editing.require_job_access, user, job_id)


@strawberry.type
class JobMutations:
    @strawberry.mutation(description="Create a job at exactly one target.")
    async def create_job(self, info: Info, input: CreateJobInput) -> JobPayload:
        try:
            region_id = parse_id(input.region_id, "region")
            editing.require_planner(info.context.user, region_id=region_id, action="create jobs")
            kind = dj.JobKind(input.kind.value)
            job = dj.Job(
                kind,
                dj.JobTarget(
                    parse_optional_id(input.furniture_id, "furniture"),
                    parse_optional_id(input.apartment_id, "apartment"),
                    parse_optional_id(input.site_id, "site"),
                ),
                region_id,
                input.duration_minutes or dj.DEFAULT_MINUTES[kind],
                dj.DEFAULT_SKILLS[kind],
                input.priority,
                input.due_on,
                notes=input.notes,
            )
            return Job.from_domain(await info.context.write(job_service.create_job, job))
        except SitecrewError as error:
            return problem_from(error)

    @strawberry.mutation(
        description="Move a job along its lifecycle; a stale version is a Conflict."
    )
    async def change_job_status(self, info: Info, input: ChangeJobStatusInput) -> JobPayload:
        try:
            user = info.context.user
            status = dj.JobStatus(input.status.value)
            job_id = parse_id(input.id)
            await info.context.read(editing.require_job_access, user, job_id)
            editing.check_crew_status(user, status)
            job = await info.context.write(
                job_service.change_job_status, job_id, status, expected_version=input.version
            )
            return Job.from_domain(job)
        except SitecrewError as error:
            return problem_from(error)

    @strawberry.mutation(description="Book a visit window with the tenant for a job.")
    async def book_appointment(self, info: Info, input: BookAppointmentInput) -> AppointmentPayload:
        try:
            user = info.context.user
            user.require(Role.ADMIN, Role.PLANNER, Role.CONTRACTOR, action="book appointments")
            job_id = parse_id(input.job_id, "job")
            await info.context.read(editing.require_job_access, user, job_id)
            window = dj.TimeWindow(input.window_start, input.window_end)
            appointment = dj.Appointment(
                job_id, window, dj.AppointmentStatus.CONFIRMED, input.notes
            )
            stored = await info.context.write(job_service.book_appointment, appointment)
            return Appointment.from_domain(stored)
        except SitecrewError as error:
            return problem_from(error)

    @strawberry.mutation(description="Move an appointment to a new window.")
    async def reschedule_appointment(
        self, info: Info, input: RescheduleAppointmentInput
    ) -> AppointmentPayload:
        try:
            appointment_id = parse_id(input.id)
            await _may_change_appointment(info, appointment_id, "reschedule appointments")
            window = dj.TimeWindow(input.window_start, input.window_end)
            stored = await info.context.write(
                editing.reschedule_appointment, appointment_id, window
            )
            return Appointment.from_domain(stored)
        except SitecrewError as error:
            return problem_from(error)

    @strawberry.mutation(description="Cancel an appointment.")
    async def cancel_appointment(
        self, info: Info, input: CancelAppointmentInput
    ) -> AppointmentPayload:
        try:
            appointment_id = parse_id(input.id)
            await _may_change_appointment(info, appointment_id, "cancel appointments")
            stored = await info.context.write(editing.cancel_appointment, appointment_id)
            return Appointment.from_domain(stored)
        except SitecrewError as error:
            return problem_from(error)
