/*
 * Colours the map and the lists share: one per crew (by its id, so a crew keeps its colour
 * from day to day and the route tiles, whose features carry the same index, agree), condition
 * grades on NS 3424's 0-3 scale, and an apartment's installation status.
 */

export const CREW_PALETTE = [
  "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
  "#8c564b", "#e377c2", "#bcbd22", "#393b79", "#637939", "#7b4173",
];

export function crewColour(crewId) {
  const number = Number.parseInt(String(crewId), 10);
  return CREW_PALETTE[(Number.isNaN(number) ? 0 : number) % CREW_PALETTE.length];
}

/* NS 3424: 0 no symptoms ... 3 strong symptoms. */
export const GRADE_COLOURS = ["#2e7d32", "#9acd32", "#f9a825", "#c62828"];

/* A flat's installation status, and a building's summary of its flats (below zoom 16). */
export const STATUS_COLOURS = {
  not_contacted: "#9e9e9e",
  booked: "#1e88e5",
  installed: "#2e7d32",
  no_access: "#fb8c00",
  declined: "#6d4c41",
  done: "#2e7d32",
  partial: "#1e88e5",
  none: "#9e9e9e",
};
