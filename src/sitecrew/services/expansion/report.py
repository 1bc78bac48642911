"""The expansion report (issue 18 item 5): finished scenarios compared, each with its map.

One use case reads the scenarios the caller may see (:func:`.scenarios.get_scenario`, so the
scoping rule is :func:`~sitecrew.services.scoping.require_scenario_access`'s), refuses any
without a result before the street graph is touched, then draws each map from the kept result
and the region's street graph (:mod:`.report_layers`) and renders one self-contained HTML page
(:mod:`.report_html`). Reading the result needs no graph; only the map's streets and
isochrones do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sitecrew.domain.routes import RunState
from sitecrew.errors import InvalidInputError
from sitecrew.services.expansion.report_html import report_html
from sitecrew.services.expansion.report_layers import ISOCHRONE_MINUTES, scenario_map
from sitecrew.services.expansion.report_map import map_svg
from sitecrew.services.expansion.scenarios import (
    MAX_COMPARED,
    ScenarioInfo,
    get_scenario,
    resolve_region,
)
from sitecrew.services.graphs import get_network

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.orm import Session

    from sitecrew.config import OsmSettings
    from sitecrew.domain.access import Principal


class ScenarioNotFinishedError(InvalidInputError):
    """A scenario without a result (queued, running, failed or cancelled) cannot be reported."""


@dataclass(frozen=True)
class ReportedScenario:
    """A finished scenario and its map as inline SVG."""

    info: ScenarioInfo
    map_svg: str

    @property
    def result(self) -> dict[str, Any]:
        """The kept result (a reported scenario has one)."""
        result = self.info.result
        return {} if result is None else result


def expansion_report(
    session: Session,
    principal: Principal,
    scenario_ids: Sequence[int],
    *,
    osm: OsmSettings,
    minutes: Sequence[float] = ISOCHRONE_MINUTES,
) -> str:
    """Return the HTML report of 1 to :data:`MAX_COMPARED` finished scenarios, in the given order.

    Raises
    ------
    InvalidInputError
        When no id, too many or one twice is given.
    NotFoundError
        When the caller sees no scenario of an id.
    ScenarioNotFinishedError
        When a scenario has no result (nothing is drawn then).
    PermissionDeniedError
        For callers who may not read expansion scenarios.
    """
    ids = list(scenario_ids)
    if not 1 <= len(ids) <= MAX_COMPARED or len(set(ids)) != len(ids):
        raise InvalidInputError(f"report 1 to {MAX_COMPARED} different scenarios")
    found = [get_scenario(session, principal, i) for i in ids]
    for info in found:
        if info.state is not RunState.SUCCEEDED or info.result is None:
            reason = f": {info.error}" if info.error else ""
            msg = (
                f"expansion scenario {info.id} is {info.state.value}{reason}; "
                "only finished scenarios with a result are reported"
            )
            raise ScenarioNotFinishedError(msg[:300])
    reported = []
    for info in found:
        where = resolve_region(session, principal, info.input.region, osm=osm)
        network = get_network(
            info.street_region, settings=osm, extract=where.extract if where.own_extract else None
        )
        data, frame = scenario_map(network, info.result or {}, minutes=minutes)
        title = f"Scenario {info.id}: {info.name}"
        reported.append(ReportedScenario(info, map_svg(data, frame, title=title)))
    return report_html(reported, minutes=minutes)
