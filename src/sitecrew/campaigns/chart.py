"""The burn-down chart: remaining homes against the deadline, with the forecast's band.

Drawn with matplotlib's object API on an Agg canvas (never pyplot): no display, no global figure
state shared between requests, and it works headless and offline. The output is byte-for-byte
reproducible (no dates in the metadata, a fixed SVG id salt, text kept as text in SVG), so tests
and caches can compare charts.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy.typing as npt
    from matplotlib.axes import Axes

    from sitecrew.campaigns.burndown import WeekRow
    from sitecrew.campaigns.forecast import Forecast

ChartFormat = Literal["png", "svg"]

_EPOCH = date(1970, 1, 1)
"""Matplotlib's date axis counts days from ``date.epoch``, pinned to this day while drawing."""


def burndown_chart(
    weeks: Sequence[WeekRow],
    *,
    total_homes: int,
    deadline: date,
    as_of: date,
    forecast: Forecast | None = None,
    title: str = "Burn-down",
    path: Path | str | None = None,
    fmt: ChartFormat | None = None,
) -> bytes:
    """Draw the burn-down and return the file's bytes (also written to ``path`` when given).

    Actual remaining homes are drawn at each week's end up to ``as_of``; the planned line at
    every week's end; the forecast's P50 and P90 remaining homes as a band from ``as_of`` to the
    P90 finish. The format follows ``fmt``, else ``path``'s suffix, else PNG.
    """
    kind = _format(fmt, path)
    with mpl.rc_context(
        {
            "svg.hashsalt": "sitecrew-burndown",  # SVG ids do not change from run to run
            "svg.fonttype": "none",  # text stays searchable text, not glyph paths
            "font.family": "DejaVu Sans",  # bundled with matplotlib: no system font lookup
            "date.epoch": _EPOCH.isoformat(),
            "date.converter": "concise",  # "Mar 15 Apr", the year once
        }
    ):
        figure = Figure(figsize=(9, 5), dpi=100)
        axes = figure.add_subplot()
        _draw(axes, weeks, total=total_homes, deadline=deadline, as_of=as_of, forecast=forecast)
        axes.set_title(title)
        figure.tight_layout()
        data = _render(figure, kind, f"{title}: deadline {deadline.isoformat()}")
    if path is not None:
        Path(path).write_bytes(data)
    return data


def _draw(
    axes: Axes,
    weeks: Sequence[WeekRow],
    *,
    total: int,
    deadline: date,
    as_of: date,
    forecast: Forecast | None,
) -> None:
    # A date axis spanning today to the deadline even when there is nothing else to draw.
    axes.plot(_dates([as_of, deadline]), [0, 0], linestyle="none")
    if weeks:
        _draw_weeks(axes, weeks, total, as_of)
    if forecast is not None and forecast.band:
        _draw_forecast(axes, forecast, as_of)
    axes.axvline(_x(deadline), color="C3", linewidth=1.5, label=f"deadline {deadline.isoformat()}")
    axes.set_ylim(0, max(total, 1) * 1.05)
    axes.set_ylabel("homes remaining")
    axes.grid(visible=True, alpha=0.3)
    axes.legend(loc="upper right")


def _draw_weeks(axes: Axes, weeks: Sequence[WeekRow], total: int, as_of: date) -> None:
    """Draw the planned line over every week, the actual one up to ``as_of``, from ``total``."""
    start = [weeks[0].start]
    planned = [week.planned_remaining for week in weeks]
    ends = [week.end for week in weeks]
    axes.plot(
        _dates(start + ends), [total, *planned], color="0.55", linestyle="--", label="planned"
    )
    past = [week for week in weeks if week.start <= as_of]
    actual_days = start + [min(week.end, as_of) for week in past]
    axes.plot(
        _dates(actual_days), [total] + [w.remaining for w in past], color="C0", label="actual"
    )


def _draw_forecast(axes: Axes, forecast: Forecast, as_of: date) -> None:
    """Shade between the median and the pessimistic trial; mark the two finish dates."""
    days = _dates([as_of] + [point.day for point in forecast.band])
    p50 = [forecast.remaining] + [point.p50_remaining for point in forecast.band]
    p90 = [forecast.remaining] + [point.p90_remaining for point in forecast.band]
    label = f"forecast P50-P90 ({forecast.basis.value})"
    axes.fill_between(days, p50, p90, color="C1", alpha=0.25, linewidth=0, label=label)
    axes.plot(days, p50, color="C1", linewidth=1)
    for name, finish in (("P50", forecast.p50), ("P90", forecast.p90)):
        if finish is not None:
            axes.axvline(_x(finish), color="C1", linestyle=":", linewidth=1)
            axes.annotate(
                f"{name} {finish.isoformat()}",
                xy=(_x(finish + timedelta(days=1)), 0),
                xytext=(0, 4 if name == "P50" else 16),
                textcoords="offset points",
                fontsize=8,
                color="C1",
            )


def _format(fmt: ChartFormat | None, path: Path | str | None) -> ChartFormat:
    if fmt is not None:
        return fmt
    suffix = Path(path).suffix.lower() if path is not None else ".png"
    if suffix not in {".png", ".svg"}:
        raise ValueError(f"a chart is .png or .svg, not {suffix!r}")
    return "svg" if suffix == ".svg" else "png"


def _render(figure: Figure, kind: ChartFormat, description: str) -> bytes:
    """Render without dates or version stamps in the metadata, so equal charts are equal bytes."""
    buffer = io.BytesIO()
    if kind == "svg":
        metadata = {"Date": None, "Creator": None, "Description": description}
    else:
        metadata = {"Software": None, "Description": description}
    figure.savefig(buffer, format=kind, metadata=metadata)
    return buffer.getvalue()


def _dates(days: Sequence[date]) -> npt.NDArray[np.datetime64]:
    """``days`` as numpy dates: matplotlib draws them on a date axis (and its stubs accept them)."""
    return np.array(days, dtype="datetime64[D]")


def _x(day: date) -> float:
    """Matplotlib's number for ``day`` on a date axis (days since ``date.epoch``)."""
    return float((day - _EPOCH).days)
