/*
 * The Sitecrew console: GraphiQL with a bearer token a browser can send.
 *
 * The token is kept in sessionStorage (this tab only, gone when it closes) and never in
 * localStorage, a cookie or a URL. Every HTTP request GraphiQL makes gets it as
 * "Authorization: Bearer ..."; a subscription sends it in the connection_init payload of the
 * WebSocket (graphql-transport-ws), which is read each time the socket (re)connects.
 */
(function () {
  "use strict";

  var TOKEN_KEY = "sitecrew.token";
  var PROBE = JSON.stringify({ query: "{ __typename }" });
  var DEFAULT_QUERY = [
    "# Sitecrew GraphQL console. Run with Ctrl-Enter or the play button;",
    "# Ctrl-Space completes, and the docs (book icon) describe every type.",
    "",
    "{",
    "  regions {",
    "    nodes {",
    "      id",
    "      name",
    "    }",
    "  }",
    "}",
    "",
  ].join("\n");

  var form = document.getElementById("sign-in");
  var input = document.getElementById("token");
  var signedIn = document.getElementById("signed-in");
  var signOutButton = document.getElementById("sign-out");
  var statusLine = document.getElementById("status");
  var host = document.getElementById("graphiql");
  var hint = document.getElementById("hint");
  var graphqlUrl = new URL("graphql", document.baseURI);
  var root = null;

  function storedToken() {
    return window.sessionStorage.getItem(TOKEN_KEY);
  }

  function say(message) {
    statusLine.textContent = message;
  }

  /* Accept a pasted "Bearer <token>" as well as the bare token. */
  function tokenFrom(text) {
    var trimmed = text.trim();
    var match = /^bearer\s+(\S+)$/i.exec(trimmed);
    return match ? match[1] : trimmed;
  }

  function withToken(headers) {
    var result = new Headers(headers || {});
    result.set("Authorization", "Bearer " + storedToken());
    return result;
  }

  /* fetch for GraphiQL: the token of this tab on every request, no cookies. */
  function authorizedFetch(resource, init) {
    var options = Object.assign({}, init || {});
    options.headers = withToken(options.headers);
    options.credentials = "omit";
    return window.fetch(resource, options);
  }

  function subscriptionUrl() {
    var url = new URL(graphqlUrl.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.hash = "";
    return url.href;
  }

  function showSignedIn(isSignedIn) {
    form.hidden = isSignedIn;
    signedIn.hidden = !isSignedIn;
    hint.hidden = isSignedIn;
  }

  function mountGraphiQL() {
    var fetcher = GraphiQL.createFetcher({
      url: graphqlUrl.href,
      subscriptionUrl: subscriptionUrl(),
      fetch: authorizedFetch,
      /* GraphiQL copies this object into connection_init each time a subscription opens a
         socket, so a getter hands it the token of that moment. */
      get wsConnectionParams() {
        return { Authorization: "Bearer " + storedToken() };
      },
    });
    root = ReactDOM.createRoot(host);
    root.render(
      React.createElement(GraphiQL, {
        fetcher: fetcher,
        defaultQuery: DEFAULT_QUERY,
        isHeadersEditorEnabled: false,
        shouldPersistHeaders: false,
        defaultEditorToolsVisibility: true,
      })
    );
    showSignedIn(true);
  }

  function unmountGraphiQL() {
    if (root !== null) {
      root.unmount();
      root = null;
    }
    host.textContent = "";
    showSignedIn(false);
  }

  /* Ask the server whether it takes this token before keeping it. */
  function check(token) {
    return window
      .fetch(graphqlUrl.href, {
        method: "POST",
        credentials: "omit",
        headers: { "Content-Type": "application/json", Authorization: "Bearer " + token },
        body: PROBE,
      })
      .then(function (response) {
        return response.status;
      });
  }

  function signIn(event) {
    event.preventDefault();
    var token = tokenFrom(input.value);
    if (!token) {
      say("Paste a token first.");
      return;
    }
    say("Checking the token…");
    check(token).then(
      function (status) {
        if (status === 401) {
          say("That token was refused: it is unknown, revoked or expired.");
          return;
        }
        if (status !== 200) {
          say("The server answered " + status + "; try again later.");
          return;
        }
        input.value = "";
        window.sessionStorage.setItem(TOKEN_KEY, token);
        say("");
        mountGraphiQL();
      },
      function () {
        say("The server cannot be reached.");
      }
    );
  }

  function signOut() {
    window.sessionStorage.removeItem(TOKEN_KEY);
    unmountGraphiQL();
    say("Signed out: the token is forgotten in this tab.");
    input.focus();
  }

  form.addEventListener("submit", signIn);
  signOutButton.addEventListener("click", signOut);
  if (storedToken()) {
    mountGraphiQL();
  } else {
    showSignedIn(false);
    input.focus();
  }
})();
