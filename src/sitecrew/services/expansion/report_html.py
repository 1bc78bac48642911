"""The expansion report as one self-contained HTML page: a comparison table and a map each.

No script, no external style sheet, font or image, no CDN: the file opens offline and can be
mailed. The only outside address is the OpenStreetMap copyright page the ODbL asks the credit
to name, as a plain link. No "generated at": the same scenarios give the same bytes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jinja2 import Environment
from markupsafe import Markup

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sitecrew.services.expansion.report import ReportedScenario

#: The rates shown under assumptions, in order, with their units.
RATES = (
    ("crew_hour_rate", "crew cost per hour (all its people)"),
    ("cost_per_km", "vehicle cost per km"),
    ("depot_cost_per_year", "depot rent and running cost a year"),
    ("working_days", "working days a year"),
    ("shift_hours", "shift hours (lunch included)"),
    ("lunch_minutes", "lunch minutes"),
    ("visits_per_site_year", "visits per site a year"),
    ("sample_days", "sample days planned per depot"),
    ("solver_seconds", "solver seconds per planned day"),
    ("seed", "seed"),
)
OSM_COPYRIGHT = "https://www.openstreetmap.org/copyright"

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Expansion report: {{ title }}</title>
<style>
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em auto; max-width: 62em;
       color: #212121; background: #ffffff; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; } h3 { font-size: 1em; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.85em; }
th, td { border: 1px solid #bdbdbd; padding: 0.25em 0.5em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
figure.map { margin: 0.5em 0; } figure.map svg { max-width: 100%; height: auto; }
p.note { color: #616161; font-size: 0.85em; }
</style>
</head>
<body>
<h1>Expansion report: {{ title }}</h1>
<h2>Scenarios compared</h2>
<table id="comparison">
<thead><tr><th>scenario</th><th>region</th><th>objective</th><th>k</th><th>sites</th>
<th>pieces</th><th>unreachable sites</th><th>gap %</th><th>crews</th><th>crew-days a year</th>
<th>km a year</th><th>cost a year</th><th>cost per piece a year</th><th>depots</th></tr></thead>
<tbody>
{% for s in scenarios %}<tr>
<td>#{{ s.id }} {{ s.name }}</td><td>{{ s.region }}</td><td>{{ s.objective }}</td>
<td>{{ s.k }}</td><td>{{ s.sites }}</td><td>{{ s.pieces }}</td><td>{{ s.unreachable }}</td>
<td>{{ s.gap }}</td><td>{{ s.crews }}</td><td>{{ s.crew_days }}</td><td>{{ s.km }}</td>
<td>{{ s.cost }}</td><td>{{ s.cost_per_piece }}</td><td>{{ s.depot_names }}</td>
</tr>
{% endfor %}</tbody>
</table>
{% for s in scenarios %}
<section class="scenario" id="scenario-{{ s.id }}">
<h2>#{{ s.id }} {{ s.name }}</h2>
<p>{{ s.k }} depot(s) {{ s.how }} in {{ s.region }}: {{ s.sites }} sites with {{ s.pieces }}
pieces ({{ s.demand }}){% if s.unreachable != "0" %}, {{ s.unreachable }} of them reached by no
depot{% endif %}; siting {{ s.status }}, gap {{ s.gap }} %.</p>
<figure class="map" id="map-{{ s.id }}">{{ s.svg }}
<figcaption class="note">Sites coloured by the depot that serves them{{ s.mapped_note }};
shaded: within {{ minutes }} minutes of free-flow driving from each depot.</figcaption>
</figure>
<h3>Depots</h3>
<table class="depots">
<thead><tr><th>depot</th><th>lon, lat</th><th>sites</th><th>pieces</th><th>crews</th>
<th>crew-days a year</th><th>km a year</th><th>cost a year</th><th>cost per piece a year</th>
</tr></thead>
<tbody>
{% for d in s.depots %}<tr><td>{{ d.label }} {{ d.name }}</td><td>{{ d.point }}</td>
<td>{{ d.sites }}</td><td>{{ d.pieces }}</td><td>{{ d.crews }}</td><td>{{ d.crew_days }}</td>
<td>{{ d.km }}</td><td>{{ d.cost }}</td><td>{{ d.cost_per_piece }}</td></tr>
{% endfor %}</tbody>
</table>
</section>
{% endfor %}
<h2>Assumptions</h2>
<table id="assumptions">
<thead><tr><th>rate</th>{% for s in scenarios %}<th>#{{ s.id }}</th>{% endfor %}</tr></thead>
<tbody>
{% for label, values in rates %}<tr><td>{{ label }}</td>
{% for v in values %}<td>{{ v }}</td>{% endfor %}</tr>
{% endfor %}</tbody>
</table>
<p class="note">Crews and costs come from the sample days: each depot's year of visits is
drawn with the seed, the sample days are planned as routes over the street graph, and their
crew-days and km are scaled to the working days. Driving times are free-flow (no traffic).
A depot's yearly cost is its rent plus its crews' hours and its vehicles' km.</p>
<h2>Data</h2>
<p id="provenance">Streets, addresses and places: &copy; OpenStreetMap contributors, available
under the Open Database Licence (ODbL), see
<a href="{{ osm_copyright }}">{{ osm_copyright }}</a>.
{% for s in scenarios %}#{{ s.id }}: street graph {{ s.region }}; sites from
{{ s.demand }}.{% if not loop.last %} {% endif %}{% endfor %}</p>
</body>
</html>
"""

_ENV = Environment(autoescape=True, keep_trailing_newline=True)


def _n(value: Any, digits: int = 0) -> str:
    if value is None:
        return "-"
    if isinstance(value, int) and digits == 0:
        return f"{value:,}"
    return f"{float(value):,.{digits}f}"


def _depot_row(n: int, depot: dict[str, Any]) -> dict[str, str]:
    return {
        "label": f"D{n}",
        "name": str(depot["name"]),
        "point": f"{depot['lon']:.5f}, {depot['lat']:.5f}",
        "sites": _n(depot.get("sites")),
        "pieces": _n(depot.get("pieces")),
        "crews": _n(depot.get("crews")),
        "crew_days": _n(depot.get("crew_days_per_year"), 1),
        "km": _n(depot.get("km_per_year")),
        "cost": _n(depot.get("cost_per_year")),
        "cost_per_piece": _n(depot.get("cost_per_piece_year"), 2),
    }


def _scenario(item: ReportedScenario) -> dict[str, Any]:
    info, result = item.info, item.result
    question = info.input
    if question.sites_csv is not None:
        demand = "the customer's file of sites"
    else:
        demand = "OpenStreetMap features: " + ", ".join(question.site_kinds)
    mapped = len(result["site_points"])
    fixed = bool(result.get("fixed_depots"))
    return {
        "id": info.id,
        "name": info.name,
        "region": result["region"],
        "objective": result["objective"],
        "k": _n(result["k"]),
        "how": "given" if fixed else f"sited among {_n(result.get('candidates'))} candidates",
        "sites": _n(result["sites"]),
        "pieces": _n(result["pieces"]),
        "unreachable": _n(result["unreachable_sites"]),
        "gap": _n(result["siting"].get("gap_pct"), 2),
        "status": str(result["siting"].get("status", "")),
        "crews": _n(result["crews"]),
        "crew_days": _n(result["crew_days_per_year"], 1),
        "km": _n(result["km_per_year"]),
        "cost": _n(result["cost_per_year"]),
        "cost_per_piece": _n(result.get("cost_per_piece_year"), 2),
        "depot_names": ", ".join(
            f"D{n} {d['name']}" for n, d in enumerate(result["depots"], start=1)
        ),
        "depots": [_depot_row(n, d) for n, d in enumerate(result["depots"], start=1)],
        "demand": demand,
        "mapped_note": (
            f" (the first {mapped:,} of {result['sites']:,} drawn)"
            if mapped < result["sites"]
            else ""
        ),
        "svg": Markup(item.map_svg),  # noqa: S704 - built by report_map, its text escaped there
    }


def report_html(reported: Sequence[ReportedScenario], *, minutes: Sequence[float]) -> str:
    """Return the report of finished scenarios as a self-contained HTML page."""
    scenarios = [_scenario(item) for item in reported]
    rates = [
        (label, [_rate(item.result.get("rates", {}).get(key)) for item in reported])
        for key, label in RATES
    ]
    return _ENV.from_string(_TEMPLATE).render(
        title=", ".join(f"#{s['id']} {s['name']}" for s in scenarios),
        scenarios=scenarios,
        rates=rates,
        minutes=" and ".join(f"{m:g}" for m in sorted(minutes)),
        osm_copyright=OSM_COPYRIGHT,
    )


def _rate(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:,}" if isinstance(value, int) else str(value)
