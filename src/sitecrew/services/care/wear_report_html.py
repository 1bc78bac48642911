"""The wear report as one self-contained HTML file: tables and inline SVG charts.

No script, no external style sheet, font or image, no CDN: the file opens offline, can be mailed
to the furniture maker, and its only date is the report's period (never "generated at"), so the
same data give the same bytes.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from sitecrew.services.care import wear_report_charts as charts

if TYPE_CHECKING:
    from sitecrew.services.care.wear_report_stats import SiteWear, WearGroup, WearReport

_STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em auto; max-width: 60em;
       color: #212121; background: #ffffff; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; }
th, td { border: 1px solid #bdbdbd; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
figure.chart { margin: 0.5em 0; } figure.chart svg { max-width: 100%; height: auto; }
p.note { color: #616161; font-size: 0.85em; }
"""


def _n(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f} %"


def _table(head: list[str], rows: list[list[str]], table_id: str) -> str:
    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f'<table id="{table_id}"><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>'


def _group_row(group: WearGroup) -> list[str]:
    return [
        group.key,
        str(group.pieces),
        _n(group.piece_years, 1),
        str(group.inspections),
        *[_pct(grade.share) for grade in group.grades],
        str(group.failures),
        _n(group.failures_per_piece_year, 3),
        _n(
            None
            if group.median_days_to_first_repair is None
            else group.median_days_to_first_repair / 365.25,
            1,
        ),
    ]


def _site_row(rank: int, site: SiteWear) -> list[str]:
    return [
        f"{rank}. {site.name}",
        site.kind,
        site.district or "-",
        str(site.pieces),
        str(site.inspections),
        _pct(site.poor_share),
        str(site.failures),
        _n(site.failures_per_piece_year, 3),
    ]


def _figure(chart_id: str, svg: str) -> str:
    return f'<figure class="chart" id="{chart_id}">{svg}</figure>'


def wear_report_html(report: WearReport) -> str:
    """Return the report as a self-contained HTML page."""
    what = escape(report.model or "all models")
    period = f"{report.start.isoformat()} to {report.end.isoformat()}"
    scope = "all regions" if report.region_id is None else f"region {report.region_id}"
    grades = [grade.grade.value for grade in report.total.grades]
    group_head = [
        report.group_by.value.replace("_", " "),
        "pieces",
        "piece-years",
        "inspections",
        *grades,
        "failures",
        "failures / piece-year",
        "median years to 1st repair",
    ]
    groups = _table(
        group_head,
        [_group_row(report.total), *[_group_row(g) for g in report.groups]],
        "groups",
    )
    failures = _table(
        ["part / failure mode", "failures", "per piece-year"],
        [
            [f"{r.part} / {r.mode}", str(r.failures), _n(r.per_piece_year, 3)]
            for r in report.failures
        ],
        "failures",
    )
    oil = report.oil
    oil_table = _table(
        ["intervals", "median days", "mean days", "planned days", "within plan"],
        [
            [
                str(len(oil.intervals)),
                _n(oil.median_days, 0),
                _n(oil.mean_days, 0),
                _n(oil.planned_days, 0),
                _pct(oil.within_plan_share),
            ]
        ],
        "oil",
    )
    sites = _table(
        [
            "site",
            "kind",
            "district",
            "pieces",
            "inspections",
            "TG2-TG3",
            "failures",
            "per piece-year",
        ],
        [_site_row(rank, site) for rank, site in enumerate(report.worst_sites, start=1)],
        "worst-sites",
    )
    survival = report.survival
    median = _n(None if survival.median_days is None else survival.median_days / 365.25, 1)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Wear report: {what}, {period}</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>Wear report: {what}</h1>
<p>Period {period} ({scope}), grouped by {escape(report.group_by.value.replace("_", " "))}.</p>
<h2>Pieces, inspections and condition grades</h2>
{groups}
{_figure("chart-grades", charts.grade_chart(report))}
<h2>Failures per piece-year by part and failure mode</h2>
{failures}
{_figure("chart-failures", charts.failure_chart(report))}
<h2>Time to first repair</h2>
<p>{survival.pieces} pieces followed since installation, {survival.events} repaired;
median {median} years (Kaplan-Meier, 95 % band).</p>
{_figure("chart-survival", charts.survival_chart(report))}
<h2>Oil intervals achieved vs planned</h2>
{oil_table}
{_figure("chart-oil", charts.oil_chart(report))}
<h2>Worst sites</h2>
{sites}
<p class="note">Failures are coded repairs dated in the period; a piece-year is a year in
service within the period; grade shares are of the period's inspections (NS 3424).</p>
</body>
</html>
"""
