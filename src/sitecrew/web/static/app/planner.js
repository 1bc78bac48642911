/*
 * The planner's view: the register on the map (sites, furniture by condition grade,
 * apartments by installation status, districts, the day's routes), a region and a date, and
 * the day's work: plan it (progress followed live over the subscription), read each crew's
 * route in its colour with its stops in order and the jobs left unassigned with the reason,
 * publish. Job status changes and republished routes arrive live, so the view never needs a
 * reload while crews work.
 */

import { REFUSALS, follow, gql, payloadOrThrow } from "./api.js";
import {
  OVERLAYS,
  createMap,
  refreshOverlay,
  setOverlayVisible,
  setRoutesDate,
} from "./basemap.js";
import { el, nextWorkingDay } from "./dom.js";
import { ROUTE_FIELDS, RoutesList, readRoutes } from "./routes_list.js";

const CREWS = `query Crews($after: String) {
  crews(first: 100, after: $after) {
    nodes { id name regionId }
    pageInfo { hasNextPage endCursor }
  }
}`;

const PLAN = `mutation Plan($input: PlanRoutesInput!) {
  planRoutes(input: $input) {
    __typename
    ... on PlanningRun { id status progress step }
    ${REFUSALS}
  }
}`;

const PROGRESS = `subscription Progress($id: ID!) {
  planningRunProgress(id: $id) { id status progress step message routes visits unassignedCount }
}`;

const RUN = `query Run($id: ID!) {
  planningRun(id: $id) {
    id status routes visits unassignedCount
    unassigned { jobId reason detail job { kind notes } }
  }
}`;

const PUBLISH = `mutation Publish($input: PublishRoutesInput!) {
  publishRoutes(input: $input) {
    __typename
    ... on Published { runId routes }
    ${REFUSALS}
  }
}`;

const JOBS_CHANGED = `subscription Jobs($region: String!) {
  jobStatusChanged(region: $region) { id status version }
}`;

const ROUTES_PUBLISHED = `subscription Republished($region: String!, $date: Date!) {
  routesPublished(region: $region, date: $date) { ${ROUTE_FIELDS} }
}`;

const REASONS = {
  NO_CREW: "no crew works that day",
  SKILL: "no crew has the skills",
  DISTRICT: "outside every crew's districts",
  UNREACHABLE: "not reachable on the street graph",
  TIME_WINDOW: "its time window cannot be met",
  SHIFT_LENGTH: "does not fit in a shift",
  CAPACITY: "the crews' day is full",
};

async function allCrews() {
  const crews = [];
  let after = null;
  for (;;) {
    const data = await gql(CREWS, { after });
    crews.push(...data.crews.nodes);
    if (!data.crews.pageInfo.hasNextPage) {
      return crews;
    }
    after = data.crews.pageInfo.endCursor;
  }
}

function regionBounds(region) {
  return region && Array.isArray(region.bounds) && region.bounds.length === 4 ? region.bounds : null;
}

export class PlannerView {
  constructor(root, viewer, say) {
    this.root = root;
    this.viewer = viewer;
    this.say = say;
    this.stops = []; // functions that end this view's subscriptions
    this.run = null;
    this.crews = [];
  }

  mount() {
    const regions = this.viewer.regions || [];
    this.regionSelect = el(
      "select",
      { id: "region", "aria-label": "Region" },
      ...regions.map((region) => el("option", { value: region.slug }, region.name)),
    );
    const initial = new URLSearchParams(window.location.hash.slice(1));
    if (initial.get("region")) {
      this.regionSelect.value = initial.get("region");
    }
    this.dateInput = el("input", { id: "date", type: "date", value: initial.get("date") || nextWorkingDay() });
    this.planButton = el("button", { id: "plan-day", type: "button" }, "Plan the day");
    this.publishButton = el("button", { id: "publish", type: "button", disabled: true }, "Publish");
    this.progress = el("progress", { id: "plan-progress", max: "1", value: "0", hidden: true });
    this.progressText = el("span", { id: "plan-step", class: "step" });
    this.unassigned = el("ul", { id: "unassigned", class: "unassigned" });
    this.routesBox = el("div", { id: "routes", class: "routes" });
    this.mapBox = el("div", { id: "map", class: "map" });
    const toggles = OVERLAYS.map((overlay) =>
      el(
        "label",
        { class: "toggle" },
        el("input", { type: "checkbox", checked: true, "data-overlay": overlay.id }),
        " " + overlay.label,
      ),
    );
    const panel = el(
      "aside",
      { class: "panel" },
      el("div", { class: "row" }, el("label", { for: "region" }, "Region"), this.regionSelect),
      el("div", { class: "row" }, el("label", { for: "date" }, "Date"), this.dateInput),
      el("div", { class: "row actions" }, this.planButton, this.publishButton),
      el("div", { class: "row" }, this.progress, this.progressText),
      el("details", { class: "layers", open: true }, el("summary", {}, "Layers"), ...toggles),
      el("h2", {}, "Routes"),
      this.routesBox,
      el("h2", {}, "Unassigned jobs"),
      this.unassigned,
    );
    this.root.replaceChildren(el("div", { class: "planner" }, panel, this.mapBox));

    const region = this.region();
    this.map = createMap(this.mapBox, {
      region: region ? region.slug : null,
      date: this.dateInput.value,
      bounds: regionBounds(region),
      overlays: OVERLAYS.map((overlay) => overlay.id),
    });
    this.list = new RoutesList(this.routesBox, this.map);
    for (const toggle of panel.querySelectorAll("input[data-overlay]")) {
      toggle.addEventListener("change", () =>
        setOverlayVisible(this.map, toggle.dataset.overlay, toggle.checked),
      );
    }
    this.regionSelect.addEventListener("change", () => this.changeRegion());
    this.dateInput.addEventListener("change", () => this.load());
    this.planButton.addEventListener("click", () => this.plan());
    this.publishButton.addEventListener("click", () => this.publish());
    this.load();
  }

  unmount() {
    this.unfollow();
    if (this.map) {
      this.map.remove();
    }
  }

  region() {
    const slug = this.regionSelect.value;
    return (this.viewer.regions || []).find((region) => region.slug === slug) || null;
  }

  unfollow() {
    for (const stop of this.stops) {
      stop();
    }
    this.stops = [];
  }

  /* Another region: a new map framed on it (its tiles and routes are asked for that region). */
  changeRegion() {
    const params = { view: "planner", region: this.regionSelect.value, date: this.dateInput.value };
    window.location.hash = new URLSearchParams(params).toString();
    this.unmount();
    this.mount();
  }

  /* Read the crews and routes of the region and day, then follow their changes. */
  async load() {
    const region = this.region();
    const date = this.dateInput.value;
    window.location.hash = new URLSearchParams({ view: "planner", region: region ? region.slug : "", date }).toString();
    this.unfollow();
    setRoutesDate(this.map, region ? region.slug : null, date);
    this.run = null;
    this.publishButton.disabled = true;
    this.unassigned.replaceChildren();
    try {
      const crews = await allCrews();
      this.crews = region ? crews.filter((crew) => crew.regionId === region.id) : crews;
      this.list.show(await readRoutes(this.crews, date));
      this.say(`${this.crews.length} crews in ${region ? region.name : "all regions"}`);
    } catch (error) {
      this.say(error.message, true);
      return;
    }
    if (region) {
      this.stops.push(
        follow(JOBS_CHANGED, { region: region.slug }, (data) => {
          if (this.list.jobChanged(data.jobStatusChanged)) {
            refreshOverlay(this.map, "routes");
          }
        }, (error) => this.say(error.message, true)),
      );
      this.stops.push(
        follow(ROUTES_PUBLISHED, { region: region.slug, date }, (data) => {
          const route = data.routesPublished;
          this.list.replace(route.crewId, route);
          refreshOverlay(this.map, "routes");
        }),
      );
    }
  }

  async plan() {
    const region = this.region();
    if (!region) {
      this.say("Pick a region first", true);
      return;
    }
    this.planButton.disabled = true;
    this.publishButton.disabled = true;
    this.progress.hidden = false;
    this.progress.value = 0;
    this.progressText.textContent = "queued";
    try {
      const data = await gql(PLAN, { input: { region: region.slug, date: this.dateInput.value } });
      this.run = payloadOrThrow(data.planRoutes, "PlanningRun");
    } catch (error) {
      this.planButton.disabled = false;
      this.progress.hidden = true;
      this.say(error.message, true);
      return;
    }
    const runId = this.run.id;
    const stop = follow(PROGRESS, { id: runId }, (data) => {
      const run = data.planningRunProgress;
      this.progress.value = run.progress;
      this.progressText.textContent = `${run.status.toLowerCase()}${run.step ? ": " + run.step : ""}`;
      if (["SUCCEEDED", "FAILED", "CANCELLED"].includes(run.status)) {
        this.finished(run);
      }
    }, (error) => {
      this.say(error.message, true);
      this.planButton.disabled = false;
    });
    this.stops.push(stop);
  }

  async finished(run) {
    this.planButton.disabled = false;
    if (run.status !== "SUCCEEDED") {
      this.say(`Planning ${run.status.toLowerCase()}: ${run.message || ""}`, true);
      return;
    }
    this.say(`Planned: ${run.routes} routes, ${run.visits} visits, ${run.unassignedCount} unassigned`);
    try {
      const [detail, routes] = await Promise.all([
        gql(RUN, { id: run.id }),
        readRoutes(this.crews, this.dateInput.value),
      ]);
      this.list.show(routes);
      this.showUnassigned(detail.planningRun.unassigned);
      refreshOverlay(this.map, "routes");
      this.publishButton.disabled = false; // once the plan to publish is on screen
    } catch (error) {
      this.say(error.message, true);
    }
  }

  showUnassigned(unassigned) {
    const items = unassigned.map((item) =>
      el(
        "li",
        { "data-job-id": item.jobId },
        el("strong", {}, `Job ${item.jobId}`),
        item.job ? ` (${item.job.kind.toLowerCase().replaceAll("_", " ")})` : "",
        ": ",
        REASONS[item.reason] || item.reason.toLowerCase(),
        item.detail ? el("span", { class: "detail" }, ` — ${item.detail}`) : null,
      ),
    );
    if (items.length === 0) {
      items.push(el("li", { class: "empty" }, "Every job has a crew."));
    }
    this.unassigned.replaceChildren(...items);
  }

  async publish() {
    if (!this.run) {
      return;
    }
    this.publishButton.disabled = true;
    try {
      const data = await gql(PUBLISH, { input: { runId: this.run.id } });
      const published = payloadOrThrow(data.publishRoutes, "Published");
      this.say(`Published ${published.routes} routes`);
      this.list.show(await readRoutes(this.crews, this.dateInput.value));
      refreshOverlay(this.map, "routes");
    } catch (error) {
      this.publishButton.disabled = false;
      this.say(error.message, true);
    }
  }
}
