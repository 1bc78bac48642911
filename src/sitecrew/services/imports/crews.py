"""Import crews, their depots and members: one row per member, grouped by crew name.

A crew's own facts (organisation, depot, weekly pattern) may be written on every row of the
crew or on the first only; rows that contradict an earlier one are refused. A problem with a
crew's facts (an unknown organisation, a new depot without a place, a pattern that cannot be
read) refuses all of its rows, since none could be imported without it. Members not in the file
stay as they are; a crew's skills become the union of its members'.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from sitecrew.services.imports.crew_rows import StoredCrews, plan_crew
from sitecrew.services.imports.crew_writes import write_crews
from sitecrew.services.imports.places import load_region_addresses
from sitecrew.services.imports.reading import Column
from sitecrew.services.imports.report import Outcome, Plan, Tally, stored_region

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.organisations import Region
    from sitecrew.services.imports.crew_writes import CrewPlan
    from sitecrew.services.imports.reading import RegisterFile, SourceRow
    from sitecrew.services.progress import ProgressCallback

COLUMNS = (
    Column(
        "crew", ("crew_name", "team", "lag", "arbeidslag", "mannskap", "arbetslag"), required=True
    ),
    Column(
        "organisation",
        ("organization", "employer", "arbeidsgiver", "firma", "company", "arbetsgivare"),
    ),
    Column("depot", ("depot_name", "base", "verksted", "depa"), required=True),
    Column("depot_street", ("depot_gate", "depot_address", "depot_adresse", "depot_gata")),
    Column("depot_housenumber", ("depot_nr", "depot_husnummer", "depot_number")),
    Column("depot_lon", ("depot_longitude",)),
    Column("depot_lat", ("depot_latitude",)),
    Column("member", ("member_name", "name", "navn", "namn", "medlem", "person"), required=True),
    Column("role", ("rolle", "roll")),
    Column("skills", ("ferdigheter", "kompetanse", "kompetens", "fag")),
    Column("trainee", ("laerling", "larling", "i_opplaering", "under_opplaering")),
    Column(
        "week_pattern",
        (
            "shift_pattern",
            "shifts",
            "shift",
            "pattern",
            "arbeidstid",
            "skift",
            "arbetstid",
            "work_pattern",
        ),
    ),
)


def plan(
    session: Session, register: RegisterFile, target: Region | None, progress: ProgressCallback
) -> Plan:
    """Plan depots, crews and members from the rows, grouped by crew."""
    region = stored_region(target)
    has_depot_address = "depot_street" in register.columns
    addresses = load_region_addresses(session, region) if has_depot_address else None
    state = StoredCrews.load(session, region.id or 0)
    tally = Tally()
    groups: dict[str, list[SourceRow]] = defaultdict(list)
    for row in register.rows:
        if row.problem:
            tally.reject(row, row.problem)
        elif not row.get("crew"):
            tally.reject(row, "crew is empty")
        else:
            groups[row.get("crew").casefold()].append(row)
    crews: list[CrewPlan] = []
    for rows in groups.values():
        crew = plan_crew(rows, state, addresses, region, tally)
        if crew is not None:
            crews.append(crew)
    progress("Crews", len(register.rows), len(register.rows))
    for crew in crews:
        _count(crew, tally)

    def apply() -> None:
        write_crews(session, region.id or 0, crews)

    return Plan(tally, apply)


def _count(crew: CrewPlan, tally: Tally) -> None:
    for member in crew.members:
        tally.record(member.row, member.outcome)
    if crew.changed or (crew.depot.changed and crew.depot.first_use is crew):
        first = next((mp for mp in crew.members if mp.outcome is Outcome.UNCHANGED), None)
        if first is not None:
            tally.record(first.row, Outcome.UPDATED)
    tally.extra[f"crews {crew.outcome.value}"] += 1
    if crew.depot.first_use is crew:
        tally.extra[f"depots {crew.depot.outcome.value}"] += 1
