"""Campaign types in GraphQL: the campaign with its burn-down and forecast, homes and visits.

A campaign's report fields (``homesByState``, ``burndown``, ``buildingsAtRisk``) share one read of
the campaign's progress per campaign object, however many of them a query selects; ``forecast``
and ``learnedServiceTime`` read on their own, only when asked. Every list is capped by its
resolver and the cap is the one the cost analysis weighs it by (:data:`LIST_CAPS`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

import strawberry

from sitecrew.api.context import Context
from sitecrew.api.pagination import Connection, check_page_size, connection_of, decode_cursor
from sitecrew.api.types.enums import JobKind
from sitecrew.api.types.work import Crew
from sitecrew.campaigns.burndown import Scope
from sitecrew.campaigns.forecast import ForecastBasis, RiskReason
from sitecrew.domain.campaigns import CampaignStatus, HomeState, VisitOutcome
from sitecrew.domain.ids import parse_id
from sitecrew.errors import QuotaExceededError
from sitecrew.services.campaigns import read
from sitecrew.services.reading.entities import Entity

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from sitecrew.campaigns.burndown import BurndownRow as DomainRow
    from sitecrew.campaigns.burndown import WeekRow
    from sitecrew.campaigns.forecast import BuildingRisk, Forecast
    from sitecrew.campaigns.service_time import LearnedServiceTime as Learned
    from sitecrew.services.campaigns.commands import (
        CampaignInfo,
        HomeInfo,
        VisitInfo,
    )
    from sitecrew.services.campaigns.commands import MaterialisedDay as MaterialisedDayInfo
    from sitecrew.services.campaigns.commands import PlanSummary as PlanSummaryInfo

Info = strawberry.Info[Context, None]
strawberry.enum(CampaignStatus)
strawberry.enum(HomeState, name="CampaignHomeState")
strawberry.enum(VisitOutcome)
strawberry.enum(ForecastBasis)
strawberry.enum(RiskReason)
strawberry.enum(Scope, name="BurndownScope")

#: Rows of a burn-down's district or crew table (more districts than a region has).
BURNDOWN_ROWS_MAX = 500
#: Weeks of a burn-down (ten years of ISO weeks).
BURNDOWN_WEEKS_MAX = 530
#: Buildings ``buildingsAtRisk`` returns at most (its ``limit`` may ask for fewer).
RISKS_MAX = 500
#: Days of the forecast's band (the capacity horizon: a year past the deadline, plus the span).
BAND_MAX = 1200
#: Crews of one campaign.
CAMPAIGN_CREWS_MAX = 500
#: Reasons a plan leaves homes unplaced.
UNPLACED_REASONS_MAX = 50
#: A crew's campaign visits of one day.
DAY_VISITS_MAX = read.MAX_DAY_VISITS
DEFAULT_PAGE = 50
#: Campaign reads that go through every home and visit (the report behind ``homesByState``,
#: ``burndown`` and ``buildingsAtRisk``; ``forecast``; ``learnedServiceTime``) one request may
#: make: each takes 0.1-0.4 s on a campaign of 22,000 homes, and the cost analysis, which counts
#: values, would let a page of campaigns or a query of aliases ask for a hundred of them.
HEAVY_READS_PER_REQUEST = 6
_heavy_reads: WeakKeyDictionary[Context, int] = WeakKeyDictionary()

#: The cap of each campaign list, for the cost analysis (``api.cost.NESTED_LIST_CAPS``).
LIST_CAPS: dict[tuple[str, str], int] = {
    ("Campaign", "crews"): CAMPAIGN_CREWS_MAX,
    ("Campaign", "homesByState"): len(HomeState),
    ("Campaign", "buildingsAtRisk"): RISKS_MAX,
    ("CampaignBurndown", "districts"): BURNDOWN_ROWS_MAX,
    ("CampaignBurndown", "crews"): BURNDOWN_ROWS_MAX,
    ("CampaignBurndown", "weeks"): BURNDOWN_WEEKS_MAX,
    ("CampaignForecast", "band"): BAND_MAX,
    ("ObservedRates", "outcomeShares"): len(VisitOutcome),
    ("PlanSummary", "unplaced"): UNPLACED_REASONS_MAX,
    ("Query", "crewCampaignVisits"): DAY_VISITS_MAX,
}


def _id(value: int | None) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(str(value))


@strawberry.type(description="How many of a campaign's homes are in a state.")
class HomeStateCount:
    state: HomeState
    homes: int


@strawberry.type(description="Burn-down counts of the campaign, a district or a crew.")
class BurndownRow:
    scope: Scope
    key: strawberry.ID | None = strawberry.field(description="The district's or crew's id.")
    label: str
    homes: int
    planned: int = strawberry.field(description="Homes with a day (or visited).")
    done: int
    failed: int = strawberry.field(description="Failed visits (a home can fail several times).")
    remaining: int = strawberry.field(description="Homes minus done minus escalated.")
    escalated: int

    @classmethod
    def from_domain(cls, row: DomainRow) -> BurndownRow:
        """Build from ``campaigns.burndown.BurndownRow``."""
        return cls(
            scope=row.scope,
            key=_id(row.key),
            label=row.label,
            homes=row.homes,
            planned=row.planned,
            done=row.done,
            failed=row.failed,
            remaining=row.remaining,
            escalated=row.escalated,
        )


@strawberry.type(description="One ISO week of the burn-down.")
class BurndownWeek:
    week: str = strawberry.field(description='The ISO week, "2026-W07".')
    start: dt.date = strawberry.field(description="Its Monday.")
    planned: int
    done: int
    failed: int
    escalated: int
    remaining: int = strawberry.field(description="Homes left at the week's end.")
    planned_remaining: int = strawberry.field(description="Homes left by the plan at its end.")

    @classmethod
    def from_domain(cls, row: WeekRow) -> BurndownWeek:
        """Build from ``campaigns.burndown.WeekRow``."""
        return cls(**{f.name: getattr(row, f.name) for f in dataclasses.fields(row)})


@strawberry.type(description="A campaign's burn-down: the campaign, its districts, crews, weeks.")
class CampaignBurndown:
    campaign: BurndownRow
    districts: list[BurndownRow] = strawberry.field(
        description=f"One row per district (at most {BURNDOWN_ROWS_MAX})."
    )
    crews: list[BurndownRow] = strawberry.field(
        description=f"One row per crew (at most {BURNDOWN_ROWS_MAX})."
    )
    weeks: list[BurndownWeek] = strawberry.field(
        description=f"One row per ISO week (at most {BURNDOWN_WEEKS_MAX})."
    )


@strawberry.type(description="The share of visits that ended one way.")
class OutcomeShare:
    outcome: VisitOutcome
    share: float


@strawberry.type(description="What the campaign's ended visits show.")
class ObservedRates:
    crew_days: int
    visits: int
    failed: int
    visits_per_crew_day: float
    failure_share: float
    median_visit_minutes: float | None
    timed_visits: int
    outcome_shares: list[OutcomeShare] = strawberry.field(description="Per failed outcome.")


@strawberry.type(description="Homes left on a future day at P50 and P90.")
class ForecastPoint:
    date: dt.date
    p50_remaining: int
    p90_remaining: int


@strawberry.type(description="When the campaign finishes, from its observed rates and crews.")
class CampaignForecast:
    as_of: dt.date
    basis: ForecastBasis = strawberry.field(
        description="HISTORY: resampled observed crew-days; PLANNED: too few observed, the "
        "planned rate with a wide band; DONE: nothing remains."
    )
    remaining: int
    p50: dt.date | None = strawberry.field(description="Half the trials finish by then.")
    p90: dt.date | None = strawberry.field(description="Nine in ten trials finish by then.")
    deadline: dt.date | None
    share_by_deadline: float | None = strawberry.field(
        description="The share of trials that finish on or before the deadline."
    )
    note: str
    crew_days: int = strawberry.field(description="Future crew-days the forecast could spend.")
    rates: ObservedRates
    band: list[ForecastPoint] = strawberry.field(
        description=f"Remaining homes per future working day to the P90 finish (at most "
        f"{BAND_MAX} days)."
    )

    @classmethod
    def from_domain(cls, found: read.CampaignForecast) -> CampaignForecast:
        """Build from ``services.campaigns.read.CampaignForecast``."""
        forecast: Forecast = found.forecast
        rates = forecast.rates
        return cls(
            as_of=found.as_of,
            basis=forecast.basis,
            remaining=forecast.remaining,
            p50=forecast.p50,
            p90=forecast.p90,
            deadline=forecast.deadline,
            share_by_deadline=forecast.share_by_deadline,
            note=forecast.note,
            crew_days=found.crew_days,
            rates=ObservedRates(
                crew_days=rates.crew_days,
                visits=rates.visits,
                failed=rates.failed,
                visits_per_crew_day=rates.visits_per_crew_day,
                failure_share=rates.failure_share,
                median_visit_minutes=rates.median_visit_minutes,
                timed_visits=rates.timed_visits,
                outcome_shares=[
                    OutcomeShare(outcome=outcome, share=share)
                    for outcome, share in rates.outcome_shares.items()
                ],
            ),
            band=[
                ForecastPoint(
                    date=point.day,
                    p50_remaining=point.p50_remaining,
                    p90_remaining=point.p90_remaining,
                )
                for point in forecast.band[:BAND_MAX]
            ],
        )


@strawberry.type(description="A building whose homes may miss the deadline or keep failing.")
class BuildingAtRisk:
    building_id: strawberry.ID
    reasons: list[RiskReason]
    homes: int
    remaining: int
    late: int = strawberry.field(description="Remaining homes planned after the deadline.")
    near_escalation: int = strawberry.field(
        description="Homes escalated, or one failed attempt short of it."
    )
    failure_rate: float
    campaign_failure_rate: float

    @classmethod
    def from_domain(cls, risk: BuildingRisk) -> BuildingAtRisk:
        """Build from ``campaigns.forecast.BuildingRisk``."""
        return cls(
            building_id=strawberry.ID(str(risk.building_id)),
            reasons=list(risk.reasons),
            homes=risk.homes,
            remaining=risk.remaining,
            late=risk.late,
            near_escalation=risk.near_escalation,
            failure_rate=round(risk.failure_rate, 4),
            campaign_failure_rate=round(risk.campaign_failure_rate, 4),
        )


@strawberry.type(description="Service time learned from the campaign's timed DONE visits.")
class LearnedServiceTime:
    minutes_per_home: float
    setup_minutes_per_entrance: float
    minutes_sd: float = strawberry.field(description="Spread of a DONE visit's minutes.")
    door_share: float = strawberry.field(
        description="Share of attempts ending at the door (nobody home, no access, refused)."
    )
    door_minutes: float = strawberry.field(description="Minutes such an attempt takes.")
    attempt_minutes: float = strawberry.field(description="Expected minutes of one attempt.")
    home_observations: int
    setup_observations: int
    attempts: int = strawberry.field(description="Attempts with an outcome behind the share.")
    learned: bool = strawberry.field(
        description="False while too few visits were timed: the campaign's own numbers stand."
    )

    @classmethod
    def from_domain(cls, found: Learned) -> LearnedServiceTime:
        """Build from ``campaigns.forecast.LearnedServiceTime``."""
        return cls(
            minutes_per_home=found.model.minutes_per_home,
            setup_minutes_per_entrance=found.model.setup_minutes_per_entrance,
            minutes_sd=found.model.minutes_sd,
            door_share=found.model.door_share,
            door_minutes=found.model.door_minutes,
            attempt_minutes=round(found.model.attempt_minutes, 1),
            home_observations=found.home_observations,
            setup_observations=found.setup_observations,
            attempts=found.attempts,
            learned=found.learned,
        )


@strawberry.type(description="One home of a campaign: where the sweep put it, how visits went.")
class CampaignHome:
    id: strawberry.ID
    campaign_id: strawberry.ID
    apartment_id: strawberry.ID
    state: HomeState
    attempts: int
    failed_attempts: int
    day: dt.date | None
    crew_id: strawberry.ID | None
    window_start: dt.datetime | None = strawberry.field(description="The two-hour window (UTC).")
    window_end: dt.datetime | None
    visit_order: int | None
    earliest_on: dt.date | None = strawberry.field(description="A re-visit waits until then.")
    last_outcome: VisitOutcome | None
    version: int = strawberry.field(description="Send it back with a change (stale: Conflict).")

    @classmethod
    def from_domain(cls, home: HomeInfo) -> CampaignHome:
        """Build from ``services.campaigns.commands.HomeInfo``."""
        return cls(
            id=strawberry.ID(str(home.id)),
            campaign_id=strawberry.ID(str(home.campaign_id)),
            apartment_id=strawberry.ID(str(home.apartment_id)),
            state=home.state,
            attempts=home.attempts,
            failed_attempts=home.failed_attempts,
            day=home.day,
            crew_id=_id(home.crew_id),
            window_start=home.window_start,
            window_end=home.window_end,
            visit_order=home.visit_order,
            earliest_on=home.earliest_on,
            last_outcome=home.last_outcome,
            version=home.version,
        )


@strawberry.type(description="A visit of a campaign home that became a job, and how it ended.")
class CampaignVisit:
    id: strawberry.ID
    campaign_home_id: strawberry.ID
    job_id: strawberry.ID | None
    day: dt.date
    crew_id: strawberry.ID
    window_start: dt.datetime
    window_end: dt.datetime
    attempt: int
    outcome: VisitOutcome | None
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    notes: str | None
    version: int = strawberry.field(description="Send it back with the outcome (stale: Conflict).")

    @classmethod
    def from_domain(cls, visit: VisitInfo) -> CampaignVisit:
        """Build from ``services.campaigns.commands.VisitInfo``."""
        return cls(
            id=strawberry.ID(str(visit.id)),
            campaign_home_id=strawberry.ID(str(visit.campaign_home_id)),
            job_id=_id(visit.job_id),
            day=visit.day,
            crew_id=strawberry.ID(str(visit.crew_id)),
            window_start=visit.window_start,
            window_end=visit.window_end,
            attempt=visit.attempt,
            outcome=visit.outcome,
            started_at=visit.started_at,
            ended_at=visit.ended_at,
            notes=visit.notes,
            version=visit.version,
        )


@strawberry.input(description="Which homes of a campaign to list (all given filters apply).")
class CampaignHomeFilter:
    state: HomeState | None = None
    day: dt.date | None = None
    crew_id: strawberry.ID | None = None
    district_id: strawberry.ID | None = None


def _optional_id(value: strawberry.ID | None, what: str) -> int | None:
    return None if value is None else parse_id(value, what)


def _spend_heavy_read(context: Context) -> None:
    """Count one heavy campaign read against the request's budget.

    Raises
    ------
    QuotaExceededError
        Beyond :data:`HEAVY_READS_PER_REQUEST` in one request.
    """
    spent = _heavy_reads.get(context, 0) + 1
    if spent > HEAVY_READS_PER_REQUEST:
        msg = (
            f"a request reads at most {HEAVY_READS_PER_REQUEST} campaign reports, forecasts or "
            "learned service times; ask for them one campaign at a time"
        )
        raise QuotaExceededError(msg)
    _heavy_reads[context] = spent


async def _heavy(info: Info, function: Callable[..., Any], query: object) -> Any:
    """Run a heavy campaign read once the request's budget allows it."""
    context = info.context
    _spend_heavy_read(context)
    return await context.read(function, context.user, query)


async def _once(memo: dict[object, Any], key: object, make: Callable[[], Awaitable[Any]]) -> Any:
    """Await ``make()`` once per key for this object: later resolvers share its answer."""
    if key not in memo:
        memo[key] = asyncio.ensure_future(make())
    return await memo[key]


@strawberry.type(description="An installation campaign: every home of a scope visited once.")
class Campaign:
    id: strawberry.ID
    region_id: strawberry.ID
    name: str
    job_kind: JobKind
    status: CampaignStatus
    minutes_per_home: float
    setup_minutes_per_entrance: float
    start_on: dt.date
    deadline_on: dt.date
    visits_per_crew_day: int
    revisit_share: float
    max_failed_attempts: int
    window_minutes: int
    on_time_confidence: float = strawberry.field(
        description="Share of crew-days that should end within the shift: the plan keeps a "
        "reserve at the end of each day for it (0.5: no reserve, plan the mean attempt)."
    )
    door_share: float = strawberry.field(
        description="Share of attempts that end at the door (nobody home, no access, refused), "
        "learned from recorded outcomes."
    )
    crew_ids: list[strawberry.ID]
    homes_count: int = strawberry.field(description="Homes in the campaign's scope.")
    version: int = strawberry.field(description="Send it back with a change (stale: Conflict).")
    memo: strawberry.Private[dict[object, Any]] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_domain(cls, info: CampaignInfo) -> Campaign:
        """Build from ``services.campaigns.commands.CampaignInfo``."""
        return cls(
            id=strawberry.ID(str(info.id)),
            region_id=strawberry.ID(str(info.region_id)),
            name=info.name,
            job_kind=info.job_kind,
            status=info.status,
            minutes_per_home=info.minutes_per_home,
            setup_minutes_per_entrance=info.setup_minutes_per_entrance,
            start_on=info.start_on,
            deadline_on=info.deadline_on,
            visits_per_crew_day=info.visits_per_crew_day,
            revisit_share=info.revisit_share,
            max_failed_attempts=info.max_failed_attempts,
            window_minutes=info.window_minutes,
            on_time_confidence=info.on_time_confidence,
            door_share=info.door_share,
            crew_ids=[strawberry.ID(str(crew)) for crew in info.crew_ids],
            homes_count=info.homes,
            version=info.version,
        )

    async def _report(self, info: Info) -> read.CampaignReport:
        report: read.CampaignReport = await _once(
            self.memo, "report", lambda: _heavy(info, read.campaign_report, int(self.id))
        )
        return report

    @strawberry.field(description=f"The campaign's crews (at most {CAMPAIGN_CREWS_MAX}).")
    async def crews(self, info: Info) -> list[Crew]:
        loader = info.context.loaders.by_id[Entity.CREW]
        found = await loader.load_many([int(c) for c in self.crew_ids[:CAMPAIGN_CREWS_MAX]])
        return [Crew.from_domain(crew) for crew in found if crew is not None]

    @strawberry.field(description="How many homes are in each state (every state listed).")
    async def homes_by_state(self, info: Info) -> list[HomeStateCount]:
        report = await self._report(info)
        return [HomeStateCount(state=s, homes=n) for s, n in report.homes_by_state.items()]

    @strawberry.field(description="Planned, done, failed and remaining homes by scope and week.")
    async def burndown(self, info: Info) -> CampaignBurndown:
        found = (await self._report(info)).burndown
        return CampaignBurndown(
            campaign=BurndownRow.from_domain(found.campaign),
            districts=[BurndownRow.from_domain(r) for r in found.districts[:BURNDOWN_ROWS_MAX]],
            crews=[BurndownRow.from_domain(r) for r in found.crews[:BURNDOWN_ROWS_MAX]],
            weeks=[BurndownWeek.from_domain(r) for r in found.weeks[:BURNDOWN_WEEKS_MAX]],
        )

    @strawberry.field(
        description=f"Buildings at risk, the most reasons and remaining homes first (at most "
        f"`limit`, itself at most {RISKS_MAX})."
    )
    async def buildings_at_risk(self, info: Info, limit: int = 50) -> list[BuildingAtRisk]:
        count = check_page_size(limit, RISKS_MAX)
        found = (await self._report(info)).buildings_at_risk
        return [BuildingAtRisk.from_domain(risk) for risk in found[:count]]

    @strawberry.field(
        description="When the campaign finishes (P50/P90) from its observed rates and its crews' "
        "future working days; `asOf` defaults to today in the region."
    )
    async def forecast(self, info: Info, as_of: dt.date | None = None) -> CampaignForecast:
        query = read.ForecastCampaign(int(self.id), as_of=as_of)
        found = await _once(
            self.memo, ("forecast", as_of), lambda: _heavy(info, read.forecast_campaign, query)
        )
        return CampaignForecast.from_domain(found)

    @strawberry.field(description="Minutes per home and setup per entrance, learned as it runs.")
    async def learned_service_time(self, info: Info) -> LearnedServiceTime:
        found = await _heavy(info, read.learned_service_time, int(self.id))
        return LearnedServiceTime.from_domain(found)

    @strawberry.field(description="The campaign's homes, filtered and paginated (by id).")
    async def homes(
        self,
        info: Info,
        filter: CampaignHomeFilter | None = None,
        first: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Connection[CampaignHome]:
        context = info.context
        chosen = filter or CampaignHomeFilter()
        query = read.ListCampaignHomes(
            campaign_id=int(self.id),
            state=chosen.state,
            day=chosen.day,
            crew_id=_optional_id(chosen.crew_id, "crew"),
            district_id=_optional_id(chosen.district_id, "district"),
            after_id=decode_cursor(after),
            limit=check_page_size(first, context.settings.server.max_page_size),
        )
        homes, has_next = await context.read(read.list_campaign_homes, context.user, query)
        return connection_of(
            [CampaignHome.from_domain(h) for h in homes], [h.id for h in homes], has_next=has_next
        )


@strawberry.type(description="Homes one reason left unplaced.")
class UnplacedCount:
    reason: str
    homes: int


@strawberry.type(description="What a (re-)plan did.")
class PlanSummary:
    campaign_id: strawberry.ID
    placed: int = strawberry.field(description="Homes with a day, crew and window now.")
    kept: int = strawberry.field(description="Placed homes whose confirmed or open visit stayed.")
    unplaced_total: int
    unplaced: list[UnplacedCount] = strawberry.field(description="Homes left pending, by reason.")
    first_day: dt.date | None
    last_day: dt.date | None
    minutes_per_home: float | None = strawberry.field(
        description="The service time model the plan used (learned from recorded durations "
        "once enough visits were timed)."
    )
    setup_minutes_per_entrance: float | None
    timed_visits: int = strawberry.field(description="Recorded durations behind the model.")
    door_share: float | None = strawberry.field(
        description="Share of attempts ending at the door the plan assumed."
    )
    planned_minutes_per_visit: float | None = strawberry.field(
        description="Minutes the plan gave each attempt: door stops and the on-time reserve "
        "included (setups and moves between buildings come on top)."
    )

    @classmethod
    def from_domain(cls, summary: PlanSummaryInfo) -> PlanSummary:
        """Build from ``services.campaigns.commands.PlanSummary``."""
        return cls(
            campaign_id=strawberry.ID(str(summary.campaign_id)),
            placed=summary.placed,
            kept=summary.kept,
            unplaced_total=summary.unplaced_total,
            unplaced=[
                UnplacedCount(reason=reason, homes=count)
                for reason, count in sorted(summary.unplaced.items())[:UNPLACED_REASONS_MAX]
            ],
            first_day=summary.first_day,
            last_day=summary.last_day,
            minutes_per_home=summary.minutes_per_home,
            setup_minutes_per_entrance=summary.setup_minutes_per_entrance,
            timed_visits=summary.timed_visits,
            door_share=summary.door_share,
            planned_minutes_per_visit=summary.planned_minutes_per_visit,
        )


@strawberry.type(description="The jobs and visits a day's materialisation made (none again).")
class MaterialisedDay:
    campaign_id: strawberry.ID
    date: dt.date
    visit_ids: list[strawberry.ID]
    job_ids: list[strawberry.ID]

    @classmethod
    def from_domain(cls, made: MaterialisedDayInfo) -> MaterialisedDay:
        """Build from ``services.campaigns.commands.MaterialisedDay``."""
        return cls(
            campaign_id=strawberry.ID(str(made.campaign_id)),
            date=made.day,
            visit_ids=[strawberry.ID(str(v)) for v in made.visit_ids],
            job_ids=[strawberry.ID(str(j)) for j in made.job_ids],
        )
