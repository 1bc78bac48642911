/*
 * A day's routes as the planner reads them: one card per crew in the crew's map colour, its
 * stops in order with their times and job status, and numbered markers on the map (the list
 * and the markers number a route's jobs alike). The crew view has its own list, with actions.
 */

import { gql } from "./api.js";
import { maplibregl, stopMarker } from "./basemap.js";
import { crewColour } from "./colours.js";
import { el, timeOf, statusLabel } from "./dom.js";

export const ROUTE_FIELDS = `
  id crewId crewName date status timeZone startsAt endsAt travelSeconds distanceMetres
  stops {
    sequence kind eta etd label address lon lat jobId
    job { id kind status version notes }
  }
`;

const CREW_ROUTE = `query CrewRoute($crewId: ID!, $date: Date!) {
  crewRoute(crewId: $crewId, date: $date) { ${ROUTE_FIELDS} }
}`;

/* Read each crew's route of ``date`` (null where it has none). */
export async function readRoutes(crews, date) {
  const routes = await Promise.all(
    crews.map((crew) =>
      gql(CREW_ROUTE, { crewId: crew.id, date }).then((data) => data.crewRoute),
    ),
  );
  return routes.filter((route) => route !== null);
}

export class RoutesList {
  constructor(container, map) {
    this.container = container;
    this.map = map;
    this.routes = new Map(); // crew id -> route
    this.markers = [];
  }

  /* Show ``routes`` (replacing what was shown). */
  show(routes) {
    this.routes = new Map(routes.map((route) => [route.crewId, route]));
    this.render();
  }

  /* One crew's route changed (republished): show the new one. */
  replace(crewId, route) {
    if (route) {
      this.routes.set(crewId, route);
    } else {
      this.routes.delete(crewId);
    }
    this.render();
  }

  /* A job's status changed: mark it on every stop that visits it. */
  jobChanged(job) {
    let found = false;
    for (const route of this.routes.values()) {
      for (const stop of route.stops) {
        if (stop.job && stop.job.id === job.id) {
          stop.job.status = job.status;
          stop.job.version = job.version;
          found = true;
        }
      }
    }
    if (found) {
      this.render();
    }
    return found;
  }

  render() {
    for (const marker of this.markers) {
      marker.remove();
    }
    this.markers = [];
    const cards = [];
    const sorted = [...this.routes.values()].sort((a, b) => a.crewName.localeCompare(b.crewName));
    for (const route of sorted) {
      cards.push(this.card(route));
      this.mark(route);
    }
    if (cards.length === 0) {
      cards.push(el("p", { class: "empty" }, "No routes for this day yet."));
    }
    this.container.replaceChildren(...cards);
  }

  card(route) {
    const colour = crewColour(route.crewId);
    const jobs = route.stops.filter((stop) => stop.kind === "JOB");
    const done = jobs.filter((stop) => stop.job && stop.job.status === "DONE").length;
    let number = 0; // jobs numbered in order, as the map's markers are
    const items = route.stops
      .filter((stop) => stop.kind !== "START" && stop.kind !== "END")
      .map((stop) =>
        el(
          "li",
          {
            class: "stop " + (stop.job ? "job-" + stop.job.status.toLowerCase() : "break"),
            "data-job-id": stop.jobId || "",
          },
          el("span", { class: "seq" }, stop.kind === "JOB" ? String((number += 1)) : "–"),
          el("span", { class: "time" }, timeOf(stop.eta, route.timeZone)),
          el("span", { class: "what" }, stop.label || stop.address || stop.kind.toLowerCase()),
          stop.job ? el("span", { class: "badge" }, statusLabel(stop.job.status)) : null,
        ),
      );
    const km = (route.distanceMetres / 1000).toFixed(1);
    const card = el(
      "section",
      { class: "route-card", "data-crew-id": route.crewId },
      el(
        "header",
        {},
        el("span", { class: "swatch" }),
        el("strong", {}, route.crewName),
        el("span", { class: "route-status" }, route.status.toLowerCase()),
      ),
      el(
        "p",
        { class: "summary" },
        `${jobs.length} stops · ${done} done · ${km} km · ` +
          `${timeOf(route.startsAt, route.timeZone)}–${timeOf(route.endsAt, route.timeZone)}`,
      ),
      el("ol", { class: "stops" }, ...items),
    );
    card.style.setProperty("--crew", colour); // through the CSSOM: the policy allows no style attribute
    return card;
  }

  mark(route) {
    const colour = crewColour(route.crewId);
    let number = 0;
    for (const stop of route.stops) {
      if (stop.kind !== "JOB") {
        continue;
      }
      number += 1;
      if (stop.lon === null || stop.lat === null) {
        continue;
      }
      const done = stop.job && stop.job.status === "DONE";
      const marker = new maplibregl.Marker({ element: stopMarker(number, colour, done) })
        .setLngLat([stop.lon, stop.lat])
        .setPopup(new maplibregl.Popup({ offset: 12 }).setText(`${route.crewName} #${number}: ${stop.label || ""}`))
        .addTo(this.map);
      this.markers.push(marker);
    }
  }
}
