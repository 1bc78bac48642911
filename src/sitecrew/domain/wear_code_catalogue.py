"""The default wear codes of the furniture maker's product families (seeded, then edited as data).

Written as the crews' own vocabulary: each family lists its parts, each part its failure modes,
and each failure mode its likely causes and remedies. The parts are also what an inspection
grades (NS 3424 per component), so a bench's inspection asks for its slats, frame, fixings and
surface finish because those are the bench family's parts here.
"""

from __future__ import annotations

from sitecrew.domain.sites import FurnitureCategory

#: Failure mode: (label, causes, remedies), by code.
Modes = dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]

SLATS: Modes = {
    "cracking": (
        "Cracking",
        ("sun_exposure", "drying_out", "impact"),
        ("replace_slat", "fill_and_oil"),
    ),
    "rot": ("Rot", ("standing_water", "missed_oiling"), ("replace_slat",)),
    "broken": ("Broken", ("vandalism", "impact"), ("replace_slat",)),
}
TABLETOP: Modes = {
    "cracking": ("Cracking", ("sun_exposure", "drying_out"), ("replace_board", "fill_and_oil")),
    "rot": ("Rot", ("standing_water", "missed_oiling"), ("replace_board",)),
    "carving": ("Carving and burns", ("vandalism",), ("sand_and_oil", "replace_board")),
}
FRAME: Modes = {
    "corrosion": (
        "Corrosion",
        ("road_salt", "paint_damage"),
        ("treat_rust_and_paint", "replace_frame"),
    ),
    "bent": ("Bent or deformed", ("vandalism", "impact"), ("straighten_frame", "replace_frame")),
    "weld_crack": ("Cracked weld", ("fatigue", "impact"), ("reweld", "replace_frame")),
}
FIXINGS: Modes = {
    "loose": ("Loose", ("heavy_use", "wood_shrinkage"), ("tighten_fixings",)),
    "missing": ("Missing", ("vandalism", "heavy_use"), ("replace_fixings",)),
    "corroded": ("Corroded", ("road_salt",), ("replace_fixings",)),
}
SURFACE_FINISH: Modes = {
    "weathered": ("Weathered, grey", ("sun_exposure", "missed_oiling"), ("clean_and_oil",)),
    "graffiti": ("Graffiti", ("vandalism",), ("remove_graffiti", "sand_and_oil")),
    "flaking": (
        "Flaking coating",
        ("frost", "paint_damage"),
        ("sand_and_oil", "treat_rust_and_paint"),
    ),
}
BODY: Modes = {
    "corrosion": (
        "Corrosion through",
        ("standing_water", "road_salt"),
        ("patch_weld", "replace_body"),
    ),
    "dent": ("Dented", ("impact", "vandalism"), ("straighten_body", "replace_body")),
}
ANCHORING: Modes = {
    "loose": ("Loose in the ground", ("frost_heave", "impact"), ("reset_anchoring",)),
    "tilting": ("Tilting", ("frost_heave", "soft_ground"), ("reset_anchoring",)),
}
HINGES: Modes = {
    "broken": ("Broken", ("heavy_use", "vandalism"), ("replace_hinge",)),
    "stiff": ("Stiff", ("corrosion_of_pin", "missed_oiling"), ("lubricate_hinge", "replace_hinge")),
}

PART_LABELS = {
    "slats": ("Wooden slats", SLATS),
    "tabletop": ("Tabletop", TABLETOP),
    "frame": ("Frame", FRAME),
    "fixings": ("Fixings", FIXINGS),
    "surface_finish": ("Surface finish", SURFACE_FINISH),
    "body": ("Body", BODY),
    "anchoring": ("Anchoring", ANCHORING),
    "hinges": ("Lid hinges", HINGES),
}

#: The parts of each family, in the order an inspection lists them.
FAMILY_PARTS: dict[FurnitureCategory, tuple[str, ...]] = {
    FurnitureCategory.BENCH: ("slats", "frame", "fixings", "surface_finish"),
    FurnitureCategory.PICNIC_SET: ("tabletop", "slats", "frame", "fixings", "surface_finish"),
    FurnitureCategory.TABLE: ("tabletop", "frame", "fixings", "surface_finish"),
    FurnitureCategory.PLANTER: ("body", "fixings", "surface_finish"),
    FurnitureCategory.BIKE_RACK: ("frame", "anchoring", "surface_finish"),
    FurnitureCategory.BIN: ("slats", "hinges", "fixings", "surface_finish"),
    FurnitureCategory.PLAY: ("frame", "slats", "fixings", "anchoring", "surface_finish"),
}


def label_of(code: str) -> str:
    """Return the default label of a cause or remedy code ("sun_exposure" -> "Sun exposure")."""
    return code.replace("_", " ").capitalize()
