"""Solver clients for jobs and lunch breaks, and the load dimensions that tie breaks to crews."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pyvrp import Client, ClientGroup

from sitecrew.routing._places import Place
from sitecrew.routing.problem import is_eligible

if TYPE_CHECKING:
    from sitecrew.routing.problem import CrewSpec, JobSpec


@dataclass(frozen=True)
class ClientRole:
    """What a solver client stands for: a job (copy) or one crew's break at some place."""

    job_id: str | None
    crew_id: str | None = None


@dataclass(frozen=True)
class Dims:
    """Which load dimensions exist: van load, job count, then one per crew with a break."""

    load: bool
    count: bool
    breaks: tuple[str, ...]

    def vector(self, *, load: int = 0, count: int = 0, crew: str | None = None) -> list[int]:
        """Return a delivery or capacity vector over the existing dimensions."""
        values = ([load] if self.load else []) + ([count] if self.count else [])
        return values + [int(crew == name) for name in self.breaks]


@dataclass
class ClientSet:
    """Clients, groups and roles built up together, so their indices stay aligned."""

    clients: list[Client]
    groups: list[ClientGroup]
    roles: list[ClientRole]

    def add(self, client: Client, role: ClientRole) -> int:
        """Append ``client`` and return its index."""
        self.clients.append(client)
        self.roles.append(role)
        return len(self.clients) - 1

    def add_group(self, members: list[Client], role: ClientRole, *, required: bool) -> None:
        """Append ``members`` as one mutually exclusive group: exactly one is visited."""
        group = ClientGroup(required=required)
        index = len(self.groups)
        for member in members:
            group.add_client(len(self.clients))
            self.add(_in_group(member, index), role)
        self.groups.append(group)


def _in_group(client: Client, group: int) -> Client:
    return Client(
        location=client.location,
        delivery=client.delivery,
        service_duration=client.service_duration,
        tw_early=client.tw_early,
        tw_late=client.tw_late,
        prize=client.prize,
        required=False,
        group=group,
    )


def add_job_clients(
    clients: ClientSet, jobs: tuple[JobSpec, ...], first_place: int, dims: Dims, prize_unit: int
) -> None:
    """Add one client per job, or a group of copies when it has several time windows."""
    for offset, job in enumerate(jobs):
        windows = job.windows or ((0, _UNBOUNDED),)
        copies = [
            Client(
                location=first_place + offset,
                delivery=dims.vector(load=job.load, count=1),
                service_duration=job.service_s,
                tw_early=open_s,
                tw_late=close_s,
                prize=0 if job.required else job.priority * prize_unit,
                required=job.required,
            )
            for open_s, close_s in windows
        ]
        role = ClientRole(job.id)
        if len(copies) == 1:
            clients.add(copies[0], role)
        else:
            clients.add_group(copies, role, required=job.required)


_UNBOUNDED = 1 << 50


def break_candidates(crew: CrewSpec, jobs: tuple[JobSpec, ...]) -> set[int]:
    """Return the matrix indices where ``crew`` might be at lunch time."""
    spots = {crew.ready_location, crew.end_location}
    return spots | {j.location for j in jobs if j.location is not None and is_eligible(j, crew)}


def break_places(crews: list[CrewSpec], jobs: tuple[JobSpec, ...]) -> list[Place]:
    """Return one break place per matrix index any crew with a break might pause at."""
    spots: set[int] = set()
    for crew in crews:
        spots |= break_candidates(crew, jobs)
    return [Place(spot, None, is_break=True) for spot in sorted(spots)]


def add_break_clients(
    clients: ClientSet,
    crews: list[CrewSpec],
    jobs: tuple[JobSpec, ...],
    places: list[Place],
    dims: Dims,
) -> None:
    """Add each crew's break as a required group of optional visits, one per candidate place."""
    by_spot = {p.matrix_index: i for i, p in enumerate(places) if p.is_break}
    for crew in crews:
        if crew.break_window is None:
            continue
        open_s, close_s = crew.break_window
        members = [
            Client(
                location=by_spot[spot],
                delivery=dims.vector(crew=crew.id),
                service_duration=crew.break_duration_s,
                tw_early=open_s,
                tw_late=close_s - crew.break_duration_s,
                required=False,
            )
            for spot in sorted(break_candidates(crew, jobs))
        ]
        clients.add_group(members, ClientRole(None, crew.id), required=True)
