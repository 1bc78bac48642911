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
  form.hidden = false;
  signedIn.hidden = true;
  welcome.hidden = false;
  if (message) {
    say(message, true);
  }
  input.focus();
}

/* A crew's token reads only its own route: the crew view. Everyone else plans. */
function wantedView(viewer) {
  return viewer.crew ? "crew" : "planner";
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
  const View = wantedView(viewer) === "crew" ? CrewView : PlannerView;
  view = new View(root, viewer, say);
  document.body.dataset.view = View === CrewView ? "crew" : "planner";
  view.mount();
  window.sitecrew = { view, map: view.map, viewer };
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
