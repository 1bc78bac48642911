"""Plan one crew of a crews register: its facts, its depot, its member rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from sitecrew.db import models as m
from sitecrew.domain import limits
from sitecrew.places.matching import RegisterAddress
from sitecrew.services.imports import fields
from sitecrew.services.imports.crew_fields import parse_role, parse_skill_list, parse_week_pattern
from sitecrew.services.imports.crew_writes import CrewPlan, DepotPlan, MemberPlan, shift_bounds
from sitecrew.services.imports.report import LONLAT, Outcome

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.organisations import Region
    from sitecrew.services.imports.places import RegionAddresses
    from sitecrew.services.imports.reading import SourceRow
    from sitecrew.services.imports.report import AddressNote, Tally

#: The columns that describe the crew rather than the member (the same on all its rows).
CREW_FACTS = ("organisation", "depot", "depot_street", "depot_housenumber", "depot_lon",
              "depot_lat", "week_pattern")  # fmt: skip
SAME_POINT = 1e-8


@dataclass
class StoredCrews:
    """What the database holds that a crews import refers to, read once."""

    depots: dict[str, tuple[m.Depot, float, float]]
    crews: dict[str, m.Crew]
    members: dict[int, list[m.CrewMember]]
    organisations: dict[str, int]
    depot_plans: dict[str, DepotPlan] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, region_id: int) -> StoredCrews:
        """Read the region's depots, every crew and member, and the organisations."""
        depots = session.execute(
            select(m.Depot, func.ST_X(m.Depot.location), func.ST_Y(m.Depot.location)).where(
                m.Depot.region_id == region_id
            )
        )
        members: dict[int, list[m.CrewMember]] = defaultdict(list)
        for member in session.scalars(select(m.CrewMember).order_by(m.CrewMember.id)):
            members[member.crew_id].append(member)
        return cls(
            depots={row.name.casefold(): (row, lon, lat) for row, lon, lat in depots},
            crews={row.name.casefold(): row for row in session.scalars(select(m.Crew))},
            members=members,
            organisations={
                name.casefold(): org_id
                for org_id, name in session.execute(select(m.Organisation.id, m.Organisation.name))
            },
        )


def plan_crew(
    rows: list[SourceRow],
    state: StoredCrews,
    addresses: RegionAddresses | None,
    region: Region,
    tally: Tally,
) -> CrewPlan | None:
    """Plan one crew from its rows; refused rows are recorded in ``tally``."""
    facts = _facts(rows, tally)
    rows = [row for row in rows if not tally.is_rejected(row)]
    name = rows[0].get("crew")
    try:
        crew = _crew(name, facts, state, addresses, region)
    except fields.FieldError as error:
        for row in rows:
            tally.reject(row, f"crew {name!r}: {error}")
        return None
    if crew.depot.note is not None:
        for row in rows:
            tally.note(row, crew.depot.note)
    crew.members = _members(rows, crew, state, tally)
    if not crew.members:
        return None
    _settle(crew, state)
    if crew.depot.first_use is None:
        crew.depot.first_use = crew
    return crew


def _facts(rows: list[SourceRow], tally: Tally) -> dict[str, str]:
    """Return the crew's facts; refuse rows that contradict an earlier row of the crew."""
    facts: dict[str, tuple[str, int]] = {}
    for row in rows:
        for column in CREW_FACTS:
            value = row.get(column)
            if not value:
                continue
            first = facts.setdefault(column, (value, row.line))
            if first[0] != value:
                tally.reject(
                    row, f"{column} {value!r} differs from {first[0]!r} on line {first[1]}"
                )
                break
    return {column: value for column, (value, _) in facts.items()}


def _crew(
    name: str,
    facts: dict[str, str],
    state: StoredCrews,
    addresses: RegionAddresses | None,
    region: Region,
) -> CrewPlan:
    fields.required(name, "crew")
    existing = state.crews.get(name.casefold())
    if existing is not None and existing.region_id != region.id:
        raise fields.FieldError("a crew of that name works in another region")
    organisation_id = existing.organisation_id if existing is not None else None
    if facts.get("organisation"):
        organisation_id = state.organisations.get(facts["organisation"].casefold())
        if organisation_id is None:
            raise fields.FieldError(f"unknown organisation {facts['organisation'][:60]!r}")
    pattern = existing.week_pattern if existing is not None else None
    if facts.get("week_pattern"):
        pattern = parse_week_pattern(facts["week_pattern"])
    depot = _depot(facts, existing, state, addresses)
    return CrewPlan(
        existing.name if existing is not None else name, existing, depot, organisation_id,
        pattern, [],
    )  # fmt: skip


def _depot(
    facts: dict[str, str],
    crew: m.Crew | None,
    state: StoredCrews,
    addresses: RegionAddresses | None,
) -> DepotPlan:
    name = facts.get("depot", "")
    if not name:
        stored = next(
            (d for d, _, _ in state.depots.values() if crew and d.id == crew.depot_id), None
        )
        if stored is None:
            raise fields.FieldError("depot is empty")
        name = stored.name
    fields.required(name, "depot")
    if name.casefold() in state.depot_plans:
        return state.depot_plans[name.casefold()]
    place, note = _depot_place(facts, addresses) or (None, None)
    found = state.depots.get(name.casefold())
    if found is None:
        if place is None:
            raise fields.FieldError(
                f"depot {name!r} is new: give depot_street and depot_housenumber, "
                "or depot_lon and depot_lat"
            )
        plan = DepotPlan(name, None, place, Outcome.CREATED, note=note)
    else:
        row, lon, lat = found
        moved = place is not None and (
            abs(place[0] - lon) > SAME_POINT or abs(place[1] - lat) > SAME_POINT
        )
        plan = DepotPlan(row.name, row, place if moved else None,
                         Outcome.UPDATED if moved else Outcome.UNCHANGED, note=note)  # fmt: skip
    state.depot_plans[name.casefold()] = plan
    return plan


def _depot_place(
    facts: dict[str, str], addresses: RegionAddresses | None
) -> tuple[tuple[float, float, str | None], AddressNote] | None:
    """Return the depot's place as the file gives it, and how it was found."""
    if facts.get("depot_lon") or facts.get("depot_lat"):
        lon = fields.coordinate(facts.get("depot_lon", ""), "depot_lon", limit=180)
        lat = fields.coordinate(facts.get("depot_lat", ""), "depot_lat", limit=90)
        return (lon, lat, None), LONLAT
    if not facts.get("depot_street") or addresses is None:
        return None
    street = fields.text(facts["depot_street"], "depot_street", max_length=limits.ADDRESS_MAX)
    number = fields.text(facts.get("depot_housenumber", ""), "depot_housenumber", max_length=20)
    matched = addresses.match(RegisterAddress(street, number))
    if isinstance(matched, str):
        raise fields.FieldError(f"depot address: {matched}")
    return (matched.point.lon, matched.point.lat, matched.point.label), matched.note


def _members(
    rows: list[SourceRow], crew: CrewPlan, state: StoredCrews, tally: Tally
) -> list[MemberPlan]:
    stored = {}
    if crew.existing is not None:
        stored = {mb.name.casefold(): mb for mb in state.members.get(crew.existing.id, [])}
    seen: dict[str, int] = {}
    plans = []
    for row in rows:
        try:
            name = _member_name(row, crew, seen)
            role = parse_role(row.get("role"), row.get("trainee"))
            skills = parse_skill_list(row.get("skills"))
        except fields.FieldError as error:
            tally.reject(row, str(error))
            continue
        existing = stored.get(name.casefold())
        if existing is None:
            outcome = Outcome.CREATED
        elif existing.role == role.value and set(existing.skills) == {s.value for s in skills}:
            outcome = Outcome.UNCHANGED
        else:
            outcome = Outcome.UPDATED
        plans.append(MemberPlan(row, name, role, skills, existing, outcome))
    return plans


def _member_name(row: SourceRow, crew: CrewPlan, seen: dict[str, int]) -> str:
    name = fields.required(row.get("member"), "member")
    first = seen.setdefault(name.casefold(), row.line)
    if first != row.line:
        raise fields.FieldError(f"member {name!r} of crew {crew.name!r} is on line {first}")
    return name


def _settle(crew: CrewPlan, state: StoredCrews) -> None:
    """Work out the crew's skills (union of its members') and what changes on a stored crew."""
    skills = {skill.value for member in crew.members for skill in member.skills}
    if crew.existing is not None:
        in_file = {member.name.casefold() for member in crew.members}
        for member in state.members.get(crew.existing.id, []):
            if member.name.casefold() not in in_file:
                skills.update(member.skills)
    crew.skills = sorted(skills)
    existing = crew.existing
    if existing is None:
        return
    wanted: dict[str, object] = {
        "organisation_id": crew.organisation_id,
        "week_pattern": crew.week_pattern,
        "skills": crew.skills,
    }
    if crew.depot.existing is not None:
        wanted["depot_id"] = crew.depot.existing.id
    if crew.week_pattern is not None:
        wanted["shift_start"], wanted["shift_end"] = shift_bounds(crew.week_pattern)
    crew.changes = {
        name: value for name, value in wanted.items() if _differs(getattr(existing, name), value)
    }


def _differs(stored: object, wanted: object) -> bool:
    if (
        isinstance(stored, list)
        and isinstance(wanted, list)
        and stored
        and isinstance(stored[0], str)
    ):
        return sorted(stored) != sorted(wanted)
    return stored != wanted
