"""The care replay's hidden facts: the care teams' setting and a seeded wear model.

``care_setting`` takes the demo's own open work away (the replay's work is only what the care
programme makes) and retires every crew but the furniture-care teams (``Care team North`` and
``Care team South``, the demo's ``Arbeid & Vedlikehold AS`` crews).

``WearModel`` draws what an inspection finds: each component of a piece (the family's parts in
the wear code list) is graded from its age since it was last cared for, years since the last
oiling for a wooden piece (since installation or the last oiling in the register at the start),
since installation for a metal one, and since its own repair when that is later. The chance of a
deviation (TG2 or TG3) grows linearly with that age; about one deviation in six is a TG3. A
repair draws a valid coding (part, failure mode, cause, remedy) from the family's own list.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from sitecrew.db import models as m
from sitecrew.domain.access import Principal, Role
from sitecrew.domain.condition import ComponentGrade, ConditionGrade
from sitecrew.domain.jobs import MaintenanceAction
from sitecrew.domain.sites import FurnitureCategory
from sitecrew.domain.wear_codes import WearCoding, WearLevel
from sitecrew.services.care.codes import family_parts, list_wear_codes
from sitecrew.services.demo.catalogue import OILED_MATERIALS

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

ADMIN = Principal(Role.ADMIN)
CARE_TEAMS = ("Care team North", "Care team South")
#: Chance of a deviation (TG2 or worse) per component: base plus this much per year of age.
DEVIATION_BASE = {True: 0.02, False: 0.01}  # keyed by "oiled material"
DEVIATION_PER_YEAR = {True: 0.05, False: 0.015}
TG3_SHARE = 0.17
TG1_SHARE = 0.25


@dataclass(frozen=True)
class CareSetting:
    """The region and the care crews the replay plans with."""

    region_id: int
    country: str
    crew_ids: tuple[int, ...]


def care_setting(session: Session, start: date) -> CareSetting:
    """Cancel the demo's open work and keep only the care teams working from ``start``."""
    region = session.scalars(select(m.Region)).one()
    session.execute(
        update(m.Appointment)
        .where(m.Appointment.status.in_(("proposed", "confirmed")))
        .values(status="cancelled")
    )
    session.execute(
        update(m.Job)
        .where(m.Job.status.in_(("open", "scheduled", "in_progress", "blocked")))
        .values(status="cancelled")
    )
    session.execute(
        update(m.Crew)
        .where(m.Crew.region_id == region.id, m.Crew.name.not_in(CARE_TEAMS))
        .values(active_until=start - timedelta(days=1))
    )
    crew_ids = tuple(session.scalars(select(m.Crew.id).where(m.Crew.name.in_(CARE_TEAMS))))
    return CareSetting(region.id, region.country or "NO", crew_ids)


@dataclass
class WearModel:
    """Each piece's age per component, and the seeded draw of what inspections find."""

    rng: random.Random
    family: dict[int, FurnitureCategory]
    oiled: dict[int, bool]
    cared: dict[int, date]  # item -> last oiled (wood) or installed
    repaired: dict[tuple[int, str], date] = field(default_factory=dict)
    parts: dict[FurnitureCategory, list[str]] = field(default_factory=dict)
    codings: dict[tuple[FurnitureCategory, str], list[WearCoding]] = field(default_factory=dict)
    #: The parts each piece was last found failed (TG3) at, for its repair's coding.
    failed: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))

    def inspect(self, item: int, day: date) -> tuple[ComponentGrade, ...]:
        """Draw the grade of every component of the piece on ``day``."""
        grades = []
        oiled = self.oiled[item]
        failed = []
        for part in self.parts[self.family[item]]:
            since = max(self.cared[item], self.repaired.get((item, part), date.min))
            years = max(0.0, (day - since).days / 365.25)
            deviation = DEVIATION_BASE[oiled] + DEVIATION_PER_YEAR[oiled] * years
            draw = self.rng.random()
            if draw < deviation * TG3_SHARE:
                grade = ConditionGrade.TG3
                failed.append(part)
            elif draw < deviation:
                grade = ConditionGrade.TG2
            elif draw < deviation + TG1_SHARE:
                grade = ConditionGrade.TG1
            else:
                grade = ConditionGrade.TG0
            explained = grade in {ConditionGrade.TG2, ConditionGrade.TG3}
            grades.append(
                ComponentGrade(
                    part,
                    grade,
                    f"{years:.1f} years since last care" if explained else None,
                    "wear spreads, unsafe to use" if explained else None,
                )
            )
        if failed:
            self.failed[item] = failed
        return tuple(grades)

    def repair(self, item: int, day: date) -> WearCoding:
        """Return the coding of a repair of the piece (its failed part), renewing that part."""
        family = self.family[item]
        parts = self.failed.pop(item, None) or [self.rng.choice(self.parts[family])]
        part = next((p for p in parts if self.codings.get((family, p))), None)
        if part is None:
            part = self.rng.choice([p for f, p in self.codings if f is family])
        self.repaired[item, part] = day
        return self.rng.choice(self.codings[family, part])

    def oiled_on(self, item: int, day: date) -> None:
        """Note an oiling: the wooden parts' age starts again."""
        if self.oiled[item]:
            self.cared[item] = day


def wear_model(session: Session, rng: random.Random) -> WearModel:
    """Read the register's pieces, their last oiling and their families' code lists."""
    rows = session.execute(
        select(
            m.Furniture.id,
            m.FurnitureModel.category,
            m.FurnitureModel.material,
            m.Furniture.installed_on,
        ).join(m.FurnitureModel, m.FurnitureModel.id == m.Furniture.model_id)
    ).all()
    last_oiled = dict(
        session.execute(
            select(m.MaintenanceRecord.furniture_id, func.max(m.MaintenanceRecord.performed_on))
            .where(m.MaintenanceRecord.action == MaintenanceAction.OILED.value)
            .group_by(m.MaintenanceRecord.furniture_id)
        ).all()
    )
    model = WearModel(
        rng,
        family={row.id: FurnitureCategory(row.category) for row in rows},
        oiled={row.id: row.material in OILED_MATERIALS for row in rows},
        cared={
            row.id: last_oiled.get(row.id) or row.installed_on or date(2015, 1, 1) for row in rows
        },
    )
    for family in set(model.family.values()):
        model.parts[family] = sorted(family_parts(session, family))
        for part, coding in _codings(session, family):
            model.codings.setdefault((family, part), []).append(coding)
    return model


def _codings(session: Session, family: FurnitureCategory) -> list[tuple[str, WearCoding]]:
    """Return every valid (part, failure mode, cause, remedy) of the family's code list."""
    codes = list_wear_codes(session, ADMIN, family)
    causes: dict[str, list[str]] = defaultdict(list)
    remedies: dict[str, list[str]] = defaultdict(list)
    for code in codes:
        mode_path = code.path.rsplit("/", 1)[0]
        if code.level is WearLevel.CAUSE:
            causes[mode_path].append(code.code)
        elif code.level is WearLevel.REMEDY:
            remedies[mode_path].append(code.code)
    found = []
    for mode_path, mode_causes in causes.items():
        part, mode = mode_path.split("/")
        found.extend(
            (part, WearCoding(part, mode, cause, remedy))
            for cause in mode_causes
            for remedy in remedies.get(mode_path, ())
        )
    return found
