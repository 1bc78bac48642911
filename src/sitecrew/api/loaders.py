"""DataLoaders, created per request: every relation is fetched in one query per tick."""

from __future__ import annotations

import asyncio
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from strawberry.dataloader import DataLoader

from sitecrew.services.reading import entities
from sitecrew.services.reading.entities import Entity

if TYPE_CHECKING:
    from asyncio import Future
    from collections.abc import Awaitable, Callable, Sequence

    from sitecrew.api.context import Context

#: At most this many children are listed under one parent (e.g. furniture of a site).
MAX_CHILDREN = 500
T = TypeVar("T")


def now_or_later(
    loader: DataLoader[int, Any], key: int, convert: Callable[[Any], T]
) -> T | Awaitable[T | None] | None:
    """Return ``key``'s converted value at once when the loader holds it, else an awaitable.

    A resolver that returns a plain value costs GraphQL no task, future or event-loop turn: for
    the many small objects of a list (a route's stops) that is most of their cost once the rows
    are read. Values a list resolver primed (see :meth:`Loaders.prime`) and values an earlier
    batch loaded are answered this way; anything else is loaded as usual. ``None`` (not found,
    or out of the caller's reach) stays ``None``.
    """
    future = loader.cache_map.get(key)
    if future is not None and _settled(future):
        found = future.result()
        return None if found is None else convert(found)
    return _later(loader.load(key), convert)


def _asks_for(field: Any, name: str) -> bool:
    """Tell whether a selected field asks for its subfield ``name`` (fragments left aside)."""
    return any(getattr(child, "name", None) == name for child in field.selections)


def _settled(future: Future[Any]) -> bool:
    """Tell whether a loader's cached future holds a value (not pending, failed or cancelled)."""
    return future.done() and not future.cancelled() and future.exception() is None


async def _later(pending: Awaitable[Any], convert: Callable[[Any], T]) -> T | None:
    found = await pending
    return None if found is None else convert(found)


class _OneTrip:
    """Runs the reads of all loaders dispatched in one tick in one worker-thread call.

    Every DataLoader batches its own keys, but each batch was a round trip to the request's
    database thread of its own (a crew's ``depot`` and ``members``, a job's ``apartment`` and
    ``appointments``): a hop to the thread and back, a task and futures each. The reads are
    collected while the loop turns twice (the loaders of one tick start their batches within
    one turn) and run one after the other in a single call; each batch still gets its own
    answer, or its own error.
    """

    def __init__(self, context: Context) -> None:
        self._context = context
        self._pending: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any], Any]] = []

    async def read(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``function(session, *args, **kwargs)`` with the other reads of this tick."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[T] = loop.create_future()
        self._pending.append((function, args, kwargs, answer))
        if len(self._pending) == 1:
            loop.call_soon(loop.call_soon, self._start)
        return await answer

    def _start(self) -> None:
        calls, self._pending = self._pending, []
        task = asyncio.ensure_future(self._run(calls))
        _running.add(task)
        task.add_done_callback(_running.discard)

    async def _run(self, calls: list[Any]) -> None:
        try:
            outcomes = await self._context.read(_each, [(f, a, k) for f, a, k, _ in calls])
        except BaseException as error:  # the trip itself failed (cancelled, session gone)
            for *_, answer in calls:
                if not answer.done():
                    answer.set_exception(error)
            raise
        for (*_, answer), (value, failure) in zip(calls, outcomes, strict=True):
            if answer.done():  # its loader was cancelled meanwhile
                continue
            if failure is None:
                answer.set_result(value)
            else:
                answer.set_exception(failure)


#: Trips under way (the loop keeps only weak references to tasks).
_running: set[asyncio.Future[None]] = set()


def _each(session: Any, calls: list[Any]) -> list[tuple[Any, Exception | None]]:
    """Run each read with the request's session; keep each one's answer or error apart."""
    outcomes: list[tuple[Any, Exception | None]] = []
    for function, args, kwargs in calls:
        try:
            outcomes.append((function(session, *args, **kwargs), None))
        except Exception as error:  # noqa: BLE001  (handed to the loader whose read it was)
            outcomes.append((None, error))
    return outcomes


class _LoadersById(dict[Entity, "DataLoader[int, Any]"]):
    """One by-id loader per entity kind, made when first asked for."""

    def __init__(self, make_load: Callable[[Entity], Any]) -> None:
        super().__init__()
        self._make_load = make_load

    def __missing__(self, entity: Entity) -> DataLoader[int, Any]:
        loader: DataLoader[int, Any] = DataLoader(load_fn=self._make_load(entity))
        self[entity] = loader
        return loader


class _ChildrenOf:
    """A request's loader of ``entity`` rows by parent id, made on first use and then kept.

    Like ``functools.cached_property``, but one line per relation: the loader is stored in the
    instance under the attribute's name, which shadows this (non-data) descriptor afterwards.
    """

    def __init__(self, entity: Entity, parent_column: str) -> None:
        self._entity = entity
        self._parent_column = parent_column
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, loaders: Loaders, owner: type | None = None) -> DataLoader[int, list[Any]]:
        loader = loaders.children(self._entity, self._parent_column)
        loaders.__dict__[self._name] = loader
        return loader


class Loaders:
    """The request's loaders; built by :class:`Context`."""

    def __init__(self, context: Context) -> None:
        self._context = context
        self._trip = _OneTrip(context)
        #: Kinds whose rows are read with the row they point at: (its kind, the column).
        self._with_parent: dict[Entity, tuple[Entity, str]] = {}
        self._asked: set[Entity] = set()
        self.by_id = _LoadersById(self._by_id_loader)
        #: Building footprints and site areas by id (lists and nested reads leave them out).
        self.outline = _LoadersById(self._outline_loader)

    # Each loader is made on first use: most requests need one or two of them, and making all
    # of them for every request was a measurable share of a small request's time.
    furniture_by_site = _ChildrenOf(Entity.FURNITURE, "site_id")
    maintenance_by_furniture = _ChildrenOf(Entity.MAINTENANCE_RECORD, "furniture_id")
    members_by_crew = _ChildrenOf(Entity.CREW_MEMBER, "crew_id")
    appointments_by_job = _ChildrenOf(Entity.APPOINTMENT, "job_id")
    apartments_by_building = _ChildrenOf(Entity.APARTMENT, "building_id")

    def prime(self, found: dict[Entity, dict[int, Any]]) -> None:
        """Hand the by-id loaders rows a resolver already read (with the same scope).

        ``None`` values are primed too: an id out of the caller's reach is answered as the
        loader would answer it, without a query.
        """
        for entity, by_id in found.items():
            self.by_id[entity].prime_many(by_id)

    def prime_private_details(self, allowed: dict[Entity, dict[int, bool]]) -> None:
        """Hand :attr:`private_details` answers a resolver already read (same rule, same call)."""
        for entity, by_id in allowed.items():
            self.private_details[entity].prime_many(by_id)

    @cached_property
    def latest_maintenance(self) -> DataLoader[int, Any]:
        return DataLoader(load_fn=self._latest)

    @cached_property
    def private_details(self) -> dict[Entity, DataLoader[int, bool]]:
        """Return, per kind (apartment, site), whether the caller may see private details."""
        return {
            entity: DataLoader(load_fn=self._private_details_loader(entity))
            for entity in (Entity.APARTMENT, Entity.SITE)
        }

    def with_buildings_if_asked(self, info: Any) -> None:
        """Read apartments together with their buildings when the query asks for those.

        Decided once per request, by the first apartment field resolved: its buildings are then
        in the loader before any ``Apartment.building`` is resolved, which answers at once
        instead of waiting for a batch and a round trip of its own.
        """
        if Entity.APARTMENT in self._asked:
            return
        self._asked.add(Entity.APARTMENT)
        if any(_asks_for(field, "building") for field in info.selected_fields):
            self._with_parent[Entity.APARTMENT] = (Entity.BUILDING, "building_id")

    def _by_id_loader(self, entity: Entity) -> Any:
        async def load(ids: Sequence[int]) -> list[Any]:
            principal = self._context.user
            if entity not in self._with_parent:
                return await self._trip.read(entities.get_many, entity, list(ids), principal)
            parent, column = self._with_parent[entity]
            found, parents = await self._trip.read(
                entities.get_many_with_parents,
                entity,
                list(ids),
                principal,
                parent=parent,
                column=column,
            )
            self.by_id[parent].prime_many(parents)
            return found

        return load

    def _outline_loader(self, entity: Entity) -> Any:
        async def load(ids: Sequence[int]) -> list[Any]:
            principal = self._context.user
            return await self._trip.read(entities.outlines, entity, list(ids), principal)

        return load

    def children(self, entity: Entity, parent_column: str) -> DataLoader[int, list[Any]]:
        """Return a new loader of ``entity`` rows by ``parent_column`` (at most MAX_CHILDREN)."""

        async def load(parent_ids: Sequence[int]) -> list[list[Any]]:
            return await self._trip.read(
                entities.children_of,
                entity,
                parent_column,
                list(parent_ids),
                self._context.user,
                limit=MAX_CHILDREN,
            )

        return DataLoader(load_fn=load)

    async def _latest(self, furniture_ids: Sequence[int]) -> list[Any]:
        return await self._trip.read(entities.latest_maintenance, list(furniture_ids))

    def _private_details_loader(self, entity: Entity) -> Any:
        async def load(ids: Sequence[int]) -> list[bool]:
            principal = self._context.user
            return await self._trip.read(entities.private_details, entity, principal, list(ids))

        return load
