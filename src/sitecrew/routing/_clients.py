"""Solver clients for jobs, their roles, and the load dimensions (van load, job count)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pyvrp import Client, ClientGroup

if TYPE_CHECKING:
    from sitecrew.routing.problem import JobSpec


@dataclass(frozen=True)
class ClientRole:
    """What a solver client stands for: a job (copy) or one crew's break at some place."""

    job_id: str | None
    crew_id: str | None = None


@dataclass(frozen=True)
class Dims:
    """Which load dimensions exist: van load, then job count."""

    load: bool
    count: bool

    def vector(self, *, load: int = 0, count: int = 0) -> list[int]:
        """Return a delivery or capacity vector over the existing dimensions."""
        return ([load] if self.load else []) + ([count] if self.count else [])


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
