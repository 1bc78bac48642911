/*
 * The map console's entry: sign in with a token, ask the server who that is (`viewer`), and
 * open the view for the role: a crew's token the crew view, anyone else's the planner view.
 * The hash keeps the region and date, so a reload or a shared link opens the same day. What the views
 * hold is in planner.js and crew.js; the map in basemap.js; the server in api.js.
 *
 * ``window.sitecrew`` exposes the open view and its map, so a browser test can read the
 * features MapLibre actually drew (``map.queryRenderedFeatures``) rather than a canvas.
 */

import { ApiError, closeSubscriptions, forgetToken, gql, storeToken, storedToken, tokenFrom } from "./api.js";
import { CrewView } from "./crew.js";
import { PlannerView } from "./planner.js";

const VIEWER = `query Viewer {
  viewer {
    role tokenName
    organisation { id name }
    crew { id name }
    regions { id slug name bounds }
  }
}`;

const form = document.getElementById("sign-in");
const input = document.getElementById("token");
const signedIn = document.getElementById("signed-in");
const who = document.getElementById("who");
const signOutButton = document.getElementById("sign-out");
const statusLine = document.getElementById("status");
const root = document.getElementById("view");
const welcome = document.getElementById("welcome");
const tabs = document.getElementById("views");

let view = null;
window.sitecrew = { view: null, map: null, viewer: null };

function say(message, isError = false) {
  statusLine.textContent = message;
  statusLine.classList.toggle("error", isError);
}

function showSignIn(message) {
  if (view) {
    view.unmount();
    view = null;
  }
  closeSubscriptions();
  root.replaceChildren();
  tabs.hidden = true;
  form.hidden = false;
  signedIn.hidden = true;
  welcome.hidden = false;
  if (message) {
    say(message, true);
  }
  input.focus();
}

/*
 * The views, each a class with mount() and unmount() on the page's <main>, and the roles that
 * may open it. The hash's ``view`` picks among a role's views (the first is the default); the
 * bar shows a tab per view when a role has more than one. The campaign, care programme and
 * expansion views join this list.
 */
const VIEWS = [
  { id: "planner", label: "Day plan", View: PlannerView, roles: ["ADMIN", "PLANNER", "CONTRACTOR"] },
  { id: "crew", label: "My route", View: CrewView, roles: ["CREW"] },
];

function viewsFor(viewer) {
  return VIEWS.filter((entry) => entry.roles.includes(viewer.role));
}

function wantedView(viewer) {
  const mine = viewsFor(viewer);
  const asked = new URLSearchParams(window.location.hash.slice(1)).get("view");
  return mine.find((entry) => entry.id === asked) || mine[0] || null;
}

function showTabs(viewer, current) {
  const mine = viewsFor(viewer);
  tabs.hidden = mine.length < 2;
  tabs.replaceChildren(
    ...mine.map((entry) => {
      const tab = document.createElement("button");
      tab.type = "button";
      tab.textContent = entry.label;
      tab.className = entry === current ? "tab current" : "tab";
      tab.addEventListener("click", () => {
        window.location.hash = new URLSearchParams({ view: entry.id }).toString();
        openView(viewer);
      });
      return tab;
    }),
  );
}

function openView(viewer) {
  if (view) {
    view.unmount();
    view = null;
  }
  const entry = wantedView(viewer);
  if (entry === null) {
    say("This token has no view in the console (a tenant's link opens its own page)", true);
    return;
  }
  showTabs(viewer, entry);
  view = new entry.View(root, viewer, say);
  document.body.dataset.view = entry.id;
  view.mount();
  window.sitecrew = { view, map: view.map, viewer };
}

async function open() {
  let viewer;
  try {
    viewer = (await gql(VIEWER)).viewer;
  } catch (error) {
    forgetToken();
    const unknown = error instanceof ApiError && error.code === "UNAUTHENTICATED";
    showSignIn(unknown ? "That token is not valid (expired, revoked or mistyped)" : error.message);
    return;
  }
  form.hidden = true;
  welcome.hidden = true;
  signedIn.hidden = false;
  who.textContent = `${viewer.tokenName || "signed in"} (${viewer.role.toLowerCase()})`;
  say("");
  openView(viewer);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const token = tokenFrom(input.value);
  if (!token) {
    say("Paste a token first", true);
    return;
  }
  storeToken(token);
  input.value = "";
  open();
});

signOutButton.addEventListener("click", () => {
  forgetToken();
  showSignIn();
  say("Signed out");
});

if (storedToken()) {
  open();
} else {
  showSignIn();
}
