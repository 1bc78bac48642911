"""Input limits, named once: every text, area and date a client can send is bounded here.

Each length matches the database column that stores the value (``String(200)`` for names and
so on), so input that the domain accepts always fits; PostgreSQL would otherwise refuse a long
value mid-transaction while SQLite silently stores it. Free text (notes, access notes) is stored
as ``Text`` and capped at a few thousand characters: a door code and directions, not a file.
"""

from __future__ import annotations

from datetime import date

#: Names of sites, organisations, regions, districts, crews, models and people.
NAME_MAX = 200
#: Postal addresses.
ADDRESS_MAX = 300
#: Furniture serial numbers.
SERIAL_MAX = 64
#: Apartment unit labels ("H0203").
UNIT_MAX = 32
#: Catalogue materials.
MATERIAL_MAX = 100
#: OpenStreetMap ids kept as text ("way/123").
OSM_ID_MAX = 40
#: Street-graph region names and IANA time zones.
STREET_REGION_MAX = 100
TIMEZONE_MAX = 64
#: Tenant phone numbers and e-mail addresses.
PHONE_MAX = 40
EMAIL_MAX = 200
#: Free text: job, appointment and maintenance notes, access notes.
NOTES_MAX = 4000

#: Vertices of an area a client sends (a site's outline, a ``within`` search polygon). A
#: 200,000-vertex search polygon took 7 s on SpatiaLite; 10,000 outline any real yard or district.
AREA_VERTICES_MAX = 10_000
#: Vertices of an operating region's or district's outline (loaded by operators, not clients).
OUTLINE_VERTICES_MAX = 1_000_000

#: Radius of a ``near`` search: 200 km around a point is more than any operating region.
NEAR_METRES_MAX = 200_000.0

#: The days a date may name: installation, due, maintenance and appointment dates all fall in
#: this span, and anything outside it is a typo (or an attempt to overflow a conversion).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2200, 12, 31)
