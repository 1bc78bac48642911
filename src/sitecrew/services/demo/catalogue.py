"""The fixed parts of the demo world: organisations, the furniture catalogue, crews, names.

Names are invented; places come from OpenStreetMap. Everything random is drawn from one
``random.Random(seed)`` so a seed always yields the same world.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from sitecrew.domain.crews import Skill
from sitecrew.domain.organisations import OrganisationKind
from sitecrew.domain.sites import FurnitureCategory

ORGANISATIONS: dict[str, tuple[str, OrganisationKind]] = {
    "maker": ("Benk & Bord AS", OrganisationKind.FURNITURE_MAKER),
    "care": ("Arbeid & Vedlikehold AS", OrganisationKind.SERVICE_PROVIDER),
    "housing": ("Oslo Bolig AS", OrganisationKind.OWNER),
    "schools": ("Oslo kommune, skoleanlegg", OrganisationKind.OWNER),
    "cooperatives": ("Boligbyggelaget", OrganisationKind.OWNER),
    "parks": ("Oslo kommune, bymiljø", OrganisationKind.OWNER),
    "contractor": ("Nett & Montasje AS", OrganisationKind.CONTRACTOR),
}


@dataclass(frozen=True)
class ModelSpec:
    """A catalogue product and how often it is serviced."""

    code: str
    name: str
    category: FurnitureCategory
    material: str
    interval_days: int
    weight: int


CATALOGUE = (
    ModelSpec("PB", "Parkbenk Klassisk", FurnitureCategory.BENCH, "pine", 365, 30),
    ModelSpec("PL", "Parkbenk Lang", FurnitureCategory.BENCH, "larch", 365, 15),
    ModelSpec("SB", "Sofabenk Sinus", FurnitureCategory.BENCH, "oak", 540, 10),
    ModelSpec("PS", "Piknikksett Fjord", FurnitureCategory.PICNIC_SET, "pine", 365, 15),
    ModelSpec("BT", "Bord Tun", FurnitureCategory.TABLE, "larch", 540, 8),
    ModelSpec("PK", "Plantekasse Stor", FurnitureCategory.PLANTER, "corten steel", 730, 8),
    ModelSpec("SS", "Sykkelstativ Loop", FurnitureCategory.BIKE_RACK, "galvanised steel", 1095, 8),
    ModelSpec("AB", "Avfallsbeholder Hus", FurnitureCategory.BIN, "pine", 730, 6),
)

#: Every crew's lunch: half an hour, starting between 11:00 and 13:00.
LUNCH_MINUTES = 30
LUNCH_EARLIEST = time(11, 0)
LUNCH_LATEST = time(13, 0)

#: Materials that are oiled; the others are only inspected and repaired.
OILED_MATERIALS = frozenset({"pine", "larch", "oak"})


@dataclass(frozen=True)
class CrewSpec:
    """A demo crew: name, size, trainees, skills, shift and who employs it."""

    name: str
    members: int
    trainees: int
    skills: frozenset[Skill]
    employer: str
    depot: str
    shift: tuple[time, time] = (time(7, 30), time(15, 30))
    max_jobs: int = 20


_CARE_SKILLS = frozenset(
    {Skill.OILING, Skill.CARPENTRY, Skill.INSPECTION, Skill.FURNITURE_INSTALLATION, Skill.DRIVING}
)
_INSTALL_SKILLS = frozenset({Skill.MEDIA_BOX, Skill.DRIVING})

CREWS = (
    CrewSpec("Care team North", 10, 3, _CARE_SKILLS, "care", "main"),
    CrewSpec("Care team South", 10, 4, _CARE_SKILLS | {Skill.WELDING}, "care", "main"),
    *(
        CrewSpec(
            f"Installers {n:02d}",
            2,
            1 if n % 3 == 0 else 0,
            _INSTALL_SKILLS,
            "housing",
            "main",
            (time(8, 0), time(16, 0)),
            14,
        )
        for n in range(1, 11)
    ),
    CrewSpec(
        "Contractor installers",
        2,
        0,
        _INSTALL_SKILLS,
        "contractor",
        "contractor",
        (time(8, 0), time(16, 0)),
        14,
    ),
)

DEPOTS = {
    "main": ("Verksted Grünerløkka", 10.7585, 59.9290, "Sannergata 2"),
    "contractor": ("Nett & Montasje lager", 10.7740, 59.9120, "Schweigaards gate 34"),
}

FIRST_NAMES = (
    "Anne",
    "Kari",
    "Ingrid",
    "Sara",
    "Nora",
    "Emma",
    "Ida",
    "Maja",
    "Amina",
    "Fatima",
    "Ole",
    "Lars",
    "Jonas",
    "Magnus",
    "Ahmed",
    "Ali",
    "Mohammed",
    "Erik",
    "Kristian",
    "Emil",
    "Hanne",
    "Marit",
    "Liv",
    "Silje",
    "Thea",
    "Per",
    "Jan",
    "Knut",
    "Tor",
    "Hassan",
)
LAST_NAMES = (
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Kristiansen",
    "Jensen",
    "Karlsen",
    "Johnsen",
    "Pettersen",
    "Eriksen",
    "Berg",
    "Haugen",
    "Hagen",
    "Khan",
    "Ali",
    "Ahmed",
    "Nguyen",
    "Svendsen",
    "Dahl",
    "Lund",
    "Moen",
    "Bakken",
)
