"""The routing side of the contractor fence: a crew held out of districts never enters them.

``CrewSpec.excluded_districts`` is how the planner keeps the housing company's own crews out of
the districts a contractor serves alone; jobs without a district stay open to them. (The loader
rule that sets it, and its database tests, wait for the demo's bookings to respect the fence.)
"""

from __future__ import annotations

from tests.routing.world import crew, job, problem, solve_checked

from sitecrew.domain.plans import UnassignedReason

EAST = frozenset({"east"})


def test_an_own_crew_never_takes_a_job_in_an_excluded_district():
    """East is the contractor's; the own crew does the west and the district-less job."""
    jobs = [job(f"e{i}", loc, district="east") for i, loc in enumerate([6, 13, 20])]
    jobs += [job(f"w{i}", loc, district="west") for i, loc in enumerate([0, 7])]
    jobs += [job("loose", 42)]
    own = crew("own", excluded_districts=EAST)
    contractor = crew("contractor", allowed_districts=EAST)
    plan = solve_checked(problem(jobs, [own, contractor]))
    assert set(plan.route_for("own").job_ids) == {"w0", "w1", "loose"}
    assert set(plan.route_for("contractor").job_ids) == {"e0", "e1", "e2"}


def test_a_contractor_district_job_is_unassigned_for_its_district_without_the_contractor():
    """With only own crews at work, the east's job is left with reason district."""
    jobs = [job("e0", 6, district="east"), job("w0", 0, district="west"), job("loose", 42)]
    plan = solve_checked(problem(jobs, [crew("own", excluded_districts=EAST)]))
    assert set(plan.route_for("own").job_ids) == {"w0", "loose"}
    [left] = plan.unassigned
    assert (left.job_id, left.reason) == ("e0", UnassignedReason.DISTRICT)
    assert "east" in left.detail
