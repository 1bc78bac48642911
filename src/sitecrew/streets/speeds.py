"""Free-flow speeds for roads whose ``maxspeed`` tag is missing, tuned for Norway and Sweden.

Why these numbers: most urban ways in Norwegian and Swedish OSM data carry no ``maxspeed``.
Both countries' general limits are 50 km/h in built-up areas and 80 (Norway) or 70 (Sweden)
km/h outside; residential streets are very often signed 30 km/h, and ``living_street``
(Norwegian *gatetun*, Swedish *gångfartsområde*) means walking pace. Motorways are signed
90-110 km/h in Norway and 100-120 km/h in Sweden, but crews mostly drive in and around towns,
so the lower end is used. Where ``maxspeed`` is present it always wins, including the implicit
codes ``NO:urban`` (50), ``NO:rural`` (80), ``SE:urban`` (50) and ``SE:rural`` (70) that osmnx
resolves. These are free-flow speeds: no congestion, turn or signal delays are modelled, so
travel times are optimistic lower bounds, the same for every crew.
"""

from __future__ import annotations

from types import MappingProxyType

#: km/h by OSM ``highway`` value, used only where an edge has no usable ``maxspeed``.
HIGHWAY_SPEEDS_KPH = MappingProxyType(
    {
        "motorway": 100.0,
        "motorway_link": 60.0,
        "trunk": 80.0,
        "trunk_link": 50.0,
        "primary": 60.0,
        "primary_link": 40.0,
        "secondary": 50.0,
        "secondary_link": 40.0,
        "tertiary": 50.0,
        "tertiary_link": 30.0,
        "unclassified": 40.0,
        "residential": 30.0,
        "living_street": 7.0,
        "road": 40.0,
        "busway": 30.0,
        "service": 20.0,
    }
)

#: km/h for a highway type that is neither tagged with a speed nor listed above.
FALLBACK_SPEED_KPH = 40.0
