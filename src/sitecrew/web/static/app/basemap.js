/*
 * The console's map: MapLibre over Sitecrew's own vector tiles, with no outside basemap (none
 * is reachable, and a housing company's intranet may not allow one). The streets come from the
 * region's routing graph (/tiles/streets), the rest from the register (/tiles/<layer>), each
 * tile requested with the tab's bearer token, so the map shows what the API would show the
 * same caller and nothing more.
 *
 * Text labels would need glyph files from a font server; the map draws none, and the lists
 * beside it carry the names (numbered stops are HTML markers).
 */

import * as maplibregl from "../vendor/maplibre-gl.mjs";
import { storedToken } from "./api.js";
import { CREW_PALETTE, GRADE_COLOURS, STATUS_COLOURS } from "./colours.js";

export { maplibregl };

const origin = window.location.origin;

/* The register's layers a planner can switch on and off, in drawing order. */
export const OVERLAYS = [
  { id: "districts", label: "Districts" },
  { id: "sites", label: "Sites" },
  { id: "apartments", label: "Apartments by installation status" },
  { id: "furniture", label: "Furniture by condition grade" },
  { id: "routes", label: "Routes of the day" },
];

function tileUrl(layer, params) {
  const query = new URLSearchParams(params).toString();
  return `${origin}/tiles/${layer}/{z}/{x}/{y}.mvt` + (query ? `?${query}` : "");
}

function vectorSource(layer, params) {
  return { type: "vector", tiles: [tileUrl(layer, params)], minzoom: 0, maxzoom: 16 };
}

/* A colour picked from ``colours`` by a whole number (style expressions index no colour arrays). */
function pickColour(index, colours) {
  return ["match", index, ...colours.flatMap((colour, i) => [i, colour]), colours[0]];
}

const crewColourExpression = pickColour(
  ["%", ["to-number", ["coalesce", ["get", "colour"], 0]], CREW_PALETTE.length],
  CREW_PALETTE,
);

const gradeColourExpression = pickColour(
  ["max", 0, ["min", 3, ["to-number", ["coalesce", ["get", "condition_grade"], 0]]]],
  GRADE_COLOURS,
);

/* A flat's own status at z16 and above; a building's summary (done, partial, none) below. */
const statusColourExpression = [
  "match",
  ["coalesce", ["get", "installation_status"], ["get", "status"]],
  ...Object.entries(STATUS_COLOURS).flat(),
  "#9e9e9e",
];

const streetWidth = (base) => [
  "interpolate", ["exponential", 1.6], ["zoom"], 11, base * 0.5, 14, base * 1.4, 17, base * 5,
];

function streetLayers() {
  const major = ["motorway", "trunk", "primary", "secondary"];
  return [
    {
      id: "streets-minor",
      type: "line",
      source: "streets",
      "source-layer": "streets",
      filter: ["!", ["in", ["get", "class"], ["literal", [...major, "tertiary"]]]],
      paint: { "line-color": "#ffffff", "line-width": streetWidth(1.6) },
      layout: { "line-cap": "round", "line-join": "round" },
    },
    {
      id: "streets-tertiary",
      type: "line",
      source: "streets",
      "source-layer": "streets",
      filter: ["==", ["get", "class"], "tertiary"],
      paint: { "line-color": "#fffbe6", "line-width": streetWidth(1.8) },
      layout: { "line-cap": "round", "line-join": "round" },
    },
    {
      id: "streets-major",
      type: "line",
      source: "streets",
      "source-layer": "streets",
      filter: ["in", ["get", "class"], ["literal", major]],
      paint: { "line-color": "#f6cf65", "line-width": streetWidth(2.4) },
      layout: { "line-cap": "round", "line-join": "round" },
    },
  ];
}

function overlayLayers() {
  return [
    {
      id: "districts-fill",
      type: "fill",
      source: "districts",
      "source-layer": "districts",
      paint: { "fill-color": "#5c6bc0", "fill-opacity": 0.03 },
    },
    {
      id: "districts-outline",
      type: "line",
      source: "districts",
      "source-layer": "districts",
      paint: { "line-color": "#3949ab", "line-width": 1.5, "line-dasharray": [3, 2] },
    },
    {
      id: "sites-area",
      type: "fill",
      source: "sites",
      "source-layer": "sites",
      filter: ["==", ["geometry-type"], "Polygon"],
      paint: { "fill-color": "#8d6e63", "fill-opacity": 0.25, "fill-outline-color": "#5d4037" },
    },
    {
      id: "sites-point",
      type: "circle",
      source: "sites",
      "source-layer": "sites",
      filter: ["==", ["geometry-type"], "Point"],
      paint: {
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 11, 2, 16, 6],
        "circle-color": "#5d4037",
        "circle-stroke-color": "#ffffff",
        "circle-stroke-width": 1,
      },
    },
    {
      id: "apartments",
      type: "circle",
      source: "apartments",
      "source-layer": "apartments",
      paint: {
        "circle-radius": [
          "interpolate", ["linear"], ["zoom"],
          11, ["min", 6, ["+", 1.5, ["/", ["sqrt", ["coalesce", ["get", "apartments"], 1]], 3]]],
          16, 5,
        ],
        "circle-color": statusColourExpression,
        "circle-opacity": 0.8,
        "circle-stroke-color": "#ffffff",
        "circle-stroke-width": 0.5,
      },
    },
    {
      id: "furniture",
      type: "circle",
      source: "furniture",
      "source-layer": "furniture",
      paint: {
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 11, 2, 16, 5],
        "circle-color": gradeColourExpression,
        "circle-stroke-color": "#263238",
        "circle-stroke-width": 0.5,
      },
    },
    {
      id: "routes-line",
      type: "line",
      source: "routes",
      "source-layer": "routes",
      filter: ["==", ["geometry-type"], "LineString"],
      paint: {
        "line-color": crewColourExpression,
        "line-width": ["interpolate", ["linear"], ["zoom"], 11, 2, 16, 5],
        "line-opacity": 0.85,
      },
      layout: { "line-cap": "round", "line-join": "round" },
    },
    {
      id: "routes-stop",
      type: "circle",
      source: "routes",
      "source-layer": "routes",
      filter: ["==", ["geometry-type"], "Point"],
      paint: {
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 11, 2.5, 16, 6],
        "circle-color": "#ffffff",
        "circle-stroke-color": crewColourExpression,
        "circle-stroke-width": 2,
      },
    },
  ];
}

/* The MapLibre layers drawn for each overlay (what a layer switch shows or hides). */
export const OVERLAY_LAYERS = {
  districts: ["districts-fill", "districts-outline"],
  sites: ["sites-area", "sites-point"],
  apartments: ["apartments"],
  furniture: ["furniture"],
  routes: ["routes-line", "routes-stop"],
};

/*
 * Make the map in ``container`` for ``region`` (slug; may be null for all the caller sees),
 * routes of ``date``; ``overlays`` names the overlays to draw (the crew view draws fewer).
 */
export function createMap(container, { region, date, bounds, overlays }) {
  const scope = region ? { region } : {};
  const sources = { streets: vectorSource("streets", scope) };
  for (const overlay of overlays) {
    const params = overlay === "routes" ? { ...scope, date } : scope;
    sources[overlay] = vectorSource(overlay, params);
  }
  const layers = [
    { id: "land", type: "background", paint: { "background-color": "#dedad2" } },
    ...streetLayers(),
    ...overlayLayers().filter((layer) => overlays.includes(layer.source)),
  ];
  const map = new maplibregl.Map({
    container,
    style: { version: 8, sources, layers },
    bounds: bounds || [10.70, 59.90, 10.80, 59.94],
    fitBoundsOptions: { padding: 20 },
    maxZoom: 19,
    attributionControl: { compact: true, customAttribution: "© OpenStreetMap contributors" },
    /* Every tile goes with the tab's token; nothing is asked of another origin. */
    transformRequest: (url) =>
      url.startsWith(`${origin}/tiles/`)
        ? { url, headers: { Authorization: "Bearer " + storedToken() }, credentials: "omit" }
        : { url },
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
  return map;
}

/* Show the routes of another day: the routes tiles are asked again with the new date. */
export function setRoutesDate(map, region, date) {
  const source = map.getSource("routes");
  if (source) {
    const params = region ? { region, date } : { date };
    source.setTiles([tileUrl("routes", params)]);
  }
}

/* Ask again for the tiles of ``overlay`` (after a change the map should show). */
export function refreshOverlay(map, overlay) {
  const source = map.getSource(overlay);
  if (source && typeof source.reload === "function") {
    source.reload();
  } else if (source) {
    source.setTiles(source.tiles);
  }
}

export function setOverlayVisible(map, overlay, visible) {
  for (const layer of OVERLAY_LAYERS[overlay] || []) {
    if (map.getLayer(layer)) {
      map.setLayoutProperty(layer, "visibility", visible ? "visible" : "none");
    }
  }
}

/* A numbered marker for a stop: the order a crew goes in, readable without glyph files. */
export function stopMarker(number, colour, done) {
  const element = document.createElement("div");
  element.className = "stop-marker" + (done ? " done" : "");
  element.style.setProperty("--crew", colour);
  element.textContent = String(number);
  return element;
}
