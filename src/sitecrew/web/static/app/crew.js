/*
 * The crew's view, made for a phone: today's route on the map and as a list. Each stop says
 * what to do and how to get in (the access notes the API gives the crew visiting today), and
 * has the buttons a crew needs at the door: started, done, missed; where there is furniture
 * (the stop's piece, or the pieces of its site), a wear report: a part and its NS 3424 grade.
 * The route opens in a navigation app as GPX. A republished route replaces the list as soon as
 * the planner publishes it.
 */

import { REFUSALS, follow, gql, payloadOrThrow } from "./api.js";
import { createMap, maplibregl, refreshOverlay, stopMarker } from "./basemap.js";
import { crewColour } from "./colours.js";
import { el, statusLabel, timeOf, today } from "./dom.js";

const STOP_FIELDS = `
  sequence kind eta etd label address lon lat jobId
  job { id kind status version notes durationMinutes }
  site { id name accessNotes }
  apartment { id unit floor accessNotes }
  building { id address }
  furniture { id serial conditionGrade model { name category } }
`;

const MY_ROUTE = `query MyRoute($date: Date!) {
  myRoute(date: $date) {
    id crewId crewName date status timeZone startsAt endsAt distanceMetres
    stops { ${STOP_FIELDS} }
  }
}`;

const ROUTE_PUBLISHED = `subscription Mine($crewId: ID!, $date: Date!) {
  routePublished(crewId: $crewId, date: $date) { id }
}`;

const CHANGE_STATUS = `mutation Status($input: ChangeJobStatusInput!) {
  changeJobStatus(input: $input) {
    __typename
    ... on Job { id status version }
    ${REFUSALS}
  }
}`;

const WEAR_PARTS = `query Parts($family: FurnitureCategory!) {
  wearCodes(family: $family) { code label level path }
}`;

const SITE_PIECES = `query Pieces($id: ID!) {
  site(id: $id) { furniture { id serial model { name category } } }
}`;

const RECORD_INSPECTION = `mutation Wear($input: RecordInspectionInput!) {
  recordInspection(input: $input) {
    __typename
    ... on InspectionRecorded { repairRaised inspection { id } }
    ${REFUSALS}
  }
}`;

/* What each button sets, and from which statuses it may (the server checks it again). */
const ACTIONS = [
  { label: "Start", status: "IN_PROGRESS", from: ["OPEN", "SCHEDULED"] },
  { label: "Done", status: "DONE", from: ["IN_PROGRESS"] },
  { label: "Missed", status: "BLOCKED", from: ["OPEN", "SCHEDULED", "IN_PROGRESS"] },
];

const JOB_WORDS = {
  INSTALL_FURNITURE: "Install furniture",
  OIL: "Oil",
  REPAIR: "Repair",
  INSPECT: "Inspect",
  INSTALL_MEDIA_BOX: "Install the media box",
};

export class CrewView {
  constructor(root, viewer, say) {
    this.root = root;
    this.viewer = viewer;
    this.say = say;
    this.stops = [];
    this.markers = [];
    this.route = null;
  }

  mount() {
    const initial = new URLSearchParams(window.location.hash.slice(1));
    this.dateInput = el("input", { id: "crew-date", type: "date", value: initial.get("date") || today() });
    this.summary = el("p", { id: "route-summary", class: "summary" });
    this.gpxLink = el("a", { id: "gpx", class: "button", hidden: true }, "Open in navigation app (GPX)");
    this.list = el("ol", { id: "crew-stops", class: "crew-stops" });
    this.mapBox = el("div", { id: "map", class: "map crew-map" });
    this.root.replaceChildren(
      el(
        "div",
        { class: "crew" },
        el("div", { class: "crew-head" }, this.dateInput, this.summary, this.gpxLink),
        this.mapBox,
        this.list,
      ),
    );
    const region = (this.viewer.regions || [])[0] || null;
    this.map = createMap(this.mapBox, {
      region: region ? region.slug : null,
      date: this.dateInput.value,
      bounds: region && region.bounds,
      overlays: ["routes"],
    });
    this.dateInput.addEventListener("change", () => this.load());
    this.load();
  }

  unmount() {
    for (const stop of this.stops) {
      stop();
    }
    this.stops = [];
    if (this.map) {
      this.map.remove();
    }
  }

  async load() {
    const date = this.dateInput.value;
    window.location.hash = new URLSearchParams({ view: "crew", date }).toString();
    for (const stop of this.stops) {
      stop();
    }
    this.stops = [];
    const routesSource = this.map.getSource("routes");
    if (routesSource) {
      routesSource.setTiles([`${window.location.origin}/tiles/routes/{z}/{x}/{y}.mvt?date=${date}`]);
    }
    await this.read();
    const crew = this.viewer.crew;
    if (crew) {
      let first = true;
      this.stops.push(
        follow(ROUTE_PUBLISHED, { crewId: crew.id, date }, () => {
          if (first) {
            first = false;
            return;
          }
          this.say("The planner published a new route");
          this.read();
          refreshOverlay(this.map, "routes");
        }),
      );
    }
  }

  async read() {
    try {
      const data = await gql(MY_ROUTE, { date: this.dateInput.value });
      this.route = data.myRoute;
    } catch (error) {
      this.say(error.message, true);
      return;
    }
    this.render();
  }

  render() {
    for (const marker of this.markers) {
      marker.remove();
    }
    this.markers = [];
    const route = this.route;
    if (!route) {
      this.summary.textContent = "No published route for this day.";
      this.gpxLink.hidden = true;
      this.list.replaceChildren();
      return;
    }
    const jobs = route.stops.filter((stop) => stop.kind === "JOB");
    const done = jobs.filter((stop) => stop.job && stop.job.status === "DONE").length;
    this.summary.textContent =
      `${route.crewName}: ${jobs.length} stops, ${done} done, ` +
      `${(route.distanceMetres / 1000).toFixed(1)} km, ` +
      `${timeOf(route.startsAt, route.timeZone)}–${timeOf(route.endsAt, route.timeZone)}`;
    this.gpxLink.href = `routes/${route.crewId}/${route.date}.gpx`;
    this.gpxLink.hidden = false;
    this.gpxLink.onclick = (event) => this.download(event);
    const colour = crewColour(route.crewId);
    const items = [];
    let number = 0;
    for (const stop of route.stops) {
      if (stop.kind !== "JOB") {
        if (stop.kind === "BREAK") {
          items.push(el("li", { class: "crew-stop break" }, `${timeOf(stop.eta, route.timeZone)} Lunch`));
        }
        continue;
      }
      number += 1;
      items.push(this.stopItem(stop, number, route.timeZone));
      if (stop.lon !== null && stop.lat !== null) {
        const isDone = stop.job && stop.job.status === "DONE";
        this.markers.push(
          new maplibregl.Marker({ element: stopMarker(number, colour, isDone) })
            .setLngLat([stop.lon, stop.lat])
            .addTo(this.map),
        );
      }
    }
    this.list.replaceChildren(...items);
    this.frame(route);
  }

  /* Frame the map on the day's stops, the first time a route is shown for a day. */
  frame(route) {
    const key = `${route.id}`;
    const points = route.stops.filter((stop) => stop.lon !== null && stop.lat !== null);
    if (this.framed === key || points.length === 0) {
      return;
    }
    this.framed = key;
    const bounds = new maplibregl.LngLatBounds();
    for (const stop of points) {
      bounds.extend([stop.lon, stop.lat]);
    }
    this.map.fitBounds(bounds, { padding: 40, duration: 0, maxZoom: 16 });
  }

  stopItem(stop, number, timeZone) {
    const job = stop.job;
    const access = [
      stop.site && stop.site.accessNotes,
      stop.apartment && stop.apartment.accessNotes,
    ].filter(Boolean);
    const where = [
      stop.address || (stop.building && stop.building.address),
      stop.apartment ? `flat ${stop.apartment.unit}${stop.apartment.floor !== null ? `, floor ${stop.apartment.floor}` : ""}` : null,
      stop.site ? stop.site.name : null,
    ].filter(Boolean).join(" · ");
    const what = [
      job ? JOB_WORDS[job.kind] || job.kind : "",
      stop.furniture ? `${stop.furniture.model.name} ${stop.furniture.serial}` : null,
      job && job.durationMinutes ? `${job.durationMinutes} min` : null,
    ].filter(Boolean).join(" · ");
    const buttons = job
      ? ACTIONS.filter((action) => action.from.includes(job.status)).map((action) =>
          el(
            "button",
            { type: "button", class: "action", "data-action": action.status },
            action.label,
          ),
        )
      : [];
    if (job && (stop.furniture || stop.site)) {
      buttons.push(el("button", { type: "button", class: "action wear" }, "Report wear"));
    }
    const item = el(
      "li",
      { class: "crew-stop job-" + (job ? job.status.toLowerCase() : "none"), "data-job-id": stop.jobId || "" },
      el("div", { class: "stop-head" },
        el("span", { class: "seq" }, String(number)),
        el("span", { class: "time" }, timeOf(stop.eta, timeZone)),
        el("strong", {}, stop.label || where),
        job ? el("span", { class: "badge" }, statusLabel(job.status)) : null,
      ),
      el("p", { class: "what" }, what),
      where ? el("p", { class: "where" }, where) : null,
      access.length ? el("p", { class: "access" }, "Access: " + access.join(" · ")) : null,
      job && job.notes ? el("p", { class: "notes" }, job.notes) : null,
      el("div", { class: "buttons" }, ...buttons),
    );
    for (const button of item.querySelectorAll("button[data-action]")) {
      button.addEventListener("click", () => this.setStatus(stop, button.dataset.action));
    }
    const wear = item.querySelector("button.wear");
    if (wear) {
      wear.addEventListener("click", () => this.wearForm(item, stop));
    }
    return item;
  }

  async setStatus(stop, status) {
    try {
      const data = await gql(CHANGE_STATUS, {
        input: { id: stop.job.id, status, version: stop.job.version },
      });
      const job = payloadOrThrow(data.changeJobStatus, "Job");
      stop.job.status = job.status;
      stop.job.version = job.version;
      this.say(`Stop marked ${statusLabel(job.status)}`);
      this.render();
    } catch (error) {
      this.say(error.message, true);
      if (error.code === "Conflict") {
        this.read(); // someone else changed it: show what it is now
      }
    }
  }

  /* The pieces a wear report may be about: the stop's own piece, or those of its site. */
  async pieces(stop) {
    if (stop.furniture) {
      return [stop.furniture];
    }
    const data = await gql(SITE_PIECES, { id: stop.site.id });
    return data.site.furniture;
  }

  async wearForm(item, stop) {
    if (item.querySelector("form.wear-form")) {
      return;
    }
    let pieces = [];
    const partsByFamily = new Map();
    try {
      pieces = await this.pieces(stop);
      for (const family of new Set(pieces.map((piece) => piece.model.category))) {
        const data = await gql(WEAR_PARTS, { family });
        partsByFamily.set(family, data.wearCodes.filter((code) => code.level === "PART"));
      }
    } catch (error) {
      this.say(error.message, true);
      return;
    }
    if (pieces.length === 0) {
      this.say("No furniture is registered here to report on", true);
      return;
    }
    const piece = el("select", { name: "piece", "aria-label": "Piece" },
      ...pieces.map((p) => el("option", { value: p.id }, `${p.model.name} ${p.serial}`)));
    const part = el("select", { name: "part", "aria-label": "Part" });
    const showParts = () => {
      const chosen = pieces.find((p) => p.id === piece.value);
      const parts = partsByFamily.get(chosen.model.category) || [];
      part.replaceChildren(...parts.map((code) => el("option", { value: code.code }, code.label)));
    };
    piece.addEventListener("change", showParts);
    showParts();
    const grade = el("select", { name: "grade", "aria-label": "Grade" },
      ...["TG0", "TG1", "TG2", "TG3"].map((value) => el("option", { value }, value)));
    const notes = el("input", { name: "notes", placeholder: "What you saw", "aria-label": "Notes" });
    const form = el("form", { class: "wear-form" }, piece, part, grade, notes,
      el("button", { type: "submit" }, "Send"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const data = await gql(RECORD_INSPECTION, {
          input: {
            jobId: stop.job.id,
            furnitureId: piece.value,
            inspectedOn: this.dateInput.value,
            components: [{ part: part.value, grade: grade.value }],
            notes: notes.value || null,
          },
        });
        const recorded = payloadOrThrow(data.recordInspection, "InspectionRecorded");
        this.say(recorded.repairRaised ? "Wear reported; a repair was raised" : "Wear reported");
        form.remove();
      } catch (error) {
        this.say(error.message, true);
      }
    });
    item.append(form);
  }

  /* The GPX needs the token too: fetch it and hand the file to the device. */
  async download(event) {
    event.preventDefault();
    const response = await fetch(this.gpxLink.href, {
      headers: { Authorization: "Bearer " + window.sessionStorage.getItem("sitecrew.token") },
      credentials: "omit",
    });
    if (!response.ok) {
      this.say(`The route could not be downloaded (${response.status})`, true);
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    const link = el("a", { href: url, download: `route-${this.route.date}.gpx` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }
}
