"""The wear report's charts as inline SVG: grades, failure rates, survival, oil intervals.

Drawn like the campaign burn-down (:mod:`sitecrew.campaigns.chart`): matplotlib's object API on
an Agg canvas (no pyplot, no display), text kept as text, a fixed SVG id salt and no dates in
the metadata, so the same report gives the same bytes and the HTML needs no other file.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

import matplotlib as mpl
from matplotlib.figure import Figure

from sitecrew.domain.condition import ConditionGrade

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from matplotlib.axes import Axes

    from sitecrew.services.care.wear_report_stats import WearReport

#: NS 3424 grades from good to failed, in colours a reader maps without a legend lookup.
GRADE_COLOURS = {
    ConditionGrade.TG0: "#2e7d32",
    ConditionGrade.TG1: "#9ccc65",
    ConditionGrade.TG2: "#ffb300",
    ConditionGrade.TG3: "#c62828",
    ConditionGrade.TGIU: "#9e9e9e",
}
_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)
MAX_FAILURE_BARS = 12


def _figure(height: float = 3.6) -> Figure:
    return Figure(figsize=(8, height), dpi=100)


def _svg(figure: Figure, description: str) -> str:
    """Render without dates or version stamps and drop the XML prologue (inline in HTML)."""
    buffer = io.BytesIO()
    figure.savefig(
        buffer, format="svg", metadata={"Date": None, "Creator": None, "Description": description}
    )
    return _PROLOGUE.sub("", buffer.getvalue().decode("utf-8"), count=1)


def _empty(axes: Axes, message: str) -> None:
    axes.text(0.5, 0.5, message, ha="center", va="center", transform=axes.transAxes)
    axes.set_axis_off()


def _context(name: str) -> AbstractContextManager[None]:
    """Return matplotlib's settings for one chart (its own id salt: four SVGs share a page)."""
    return mpl.rc_context(
        {
            "svg.hashsalt": f"sitecrew-wear-{name}",
            "svg.fonttype": "none",
            "font.family": "DejaVu Sans",
            "font.size": 9,
        }
    )


def grade_chart(report: WearReport) -> str:
    """Draw stacked bars: each group's inspections split by grade (shares), the total first."""
    groups = [report.total, *report.groups]
    with _context("grade"):
        figure = _figure(max(2.4, 0.45 * len(groups) + 1.4))
        axes = figure.add_subplot()
        if report.total.inspections == 0:
            _empty(axes, "no inspections in the period")
        else:
            labels = [f"{g.key} ({g.inspections})" for g in groups]
            left = [0.0] * len(groups)
            for grade in ConditionGrade:
                shares = [next(c.share for c in g.grades if c.grade is grade) for g in groups]
                axes.barh(labels, shares, left=left, color=GRADE_COLOURS[grade], label=grade.value)
                left = [a + b for a, b in zip(left, shares, strict=True)]
            axes.invert_yaxis()
            axes.set_xlim(0, 1)
            axes.set_xlabel("share of the period's inspections")
            axes.legend(ncol=5, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
        figure.tight_layout()
        return _svg(figure, "Condition grades (NS 3424) per group")


def failure_chart(report: WearReport) -> str:
    """Draw horizontal bars of coded failures per piece-year by part and failure mode."""
    rates = [r for r in report.failures if r.per_piece_year is not None][:MAX_FAILURE_BARS]
    with _context("failure"):
        figure = _figure(max(2.4, 0.35 * len(rates) + 1.2))
        axes = figure.add_subplot()
        if not rates:
            _empty(axes, "no coded repairs in the period")
        else:
            labels = [f"{r.part} / {r.mode}" for r in rates]
            axes.barh(labels, [r.per_piece_year or 0.0 for r in rates], color="#1565c0")
            axes.invert_yaxis()
            axes.set_xlabel("failures per piece-year")
            axes.grid(axis="x", alpha=0.3)
        figure.tight_layout()
        return _svg(figure, "Failures per piece-year by part and failure mode")


def survival_chart(report: WearReport) -> str:
    """Draw the Kaplan-Meier curve of time to first repair, with its 95 % confidence band."""
    points = report.survival.points
    with _context("survival"):
        figure = _figure()
        axes = figure.add_subplot()
        if not points:
            _empty(axes, "no pieces with an installation date")
        else:
            years = [p.days / 365.25 for p in points]
            axes.fill_between(
                years,
                [p.lower for p in points],
                [p.upper for p in points],
                step="post",
                color="#1565c0",
                alpha=0.2,
                linewidth=0,
                label="95 % confidence band",
            )
            axes.step(
                years, [p.survival for p in points], where="post", color="#1565c0", label="KM"
            )
            axes.set_ylim(0, 1.02)
            axes.set_xlim(left=0)
            axes.set_xlabel("years since installation")
            axes.set_ylabel("share without a repair")
            axes.grid(alpha=0.3)
            axes.legend(loc="lower left")
        figure.tight_layout()
        return _svg(figure, "Time to first repair (Kaplan-Meier)")


def oil_chart(report: WearReport) -> str:
    """Draw a histogram of achieved oil intervals (months) with the planned interval marked."""
    oil = report.oil
    with _context("oil"):
        figure = _figure()
        axes = figure.add_subplot()
        if not oil.intervals or oil.planned_days is None:
            _empty(axes, "no oil intervals ended in the period")
        else:
            months = [achieved / 30.44 for achieved, _ in oil.intervals]
            top = max(*months, oil.planned_days / 30.44) + 1
            axes.hist(months, bins=[b * 0.5 for b in range(int(top * 2) + 2)], color="#8d6e63")
            planned = oil.planned_days / 30.44
            axes.axvline(planned, color="#c62828", linewidth=2, label=f"planned {planned:.1f} mo")
            axes.set_xlabel("months between consecutive oilings")
            axes.set_ylabel("intervals")
            axes.legend(loc="upper right")
        figure.tight_layout()
        return _svg(figure, "Oil intervals achieved vs planned")
