/*
 * The console's one way to the server: GraphQL over HTTP for queries and mutations, and
 * graphql-ws (graphql-transport-ws) for subscriptions, both with the tab's bearer token.
 *
 * The token lives in sessionStorage under the key the GraphiQL console uses, so signing in on
 * either page signs in on both, and it is gone when the tab closes. It is never put in a URL or
 * a cookie. A GraphQL error comes back as an ApiError carrying the server's code, so a view can
 * tell "sign in again" (UNAUTHENTICATED) from a refused or invalid change.
 */

export const TOKEN_KEY = "sitecrew.token";

export class ApiError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

export function storedToken() {
  return window.sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token) {
  window.sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken() {
  window.sessionStorage.removeItem(TOKEN_KEY);
}

/* Accept a pasted "Bearer <token>" as well as the bare token. */
export function tokenFrom(text) {
  const trimmed = text.trim();
  const match = /^bearer\s+(\S+)$/i.exec(trimmed);
  return match ? match[1] : trimmed;
}

const graphqlUrl = new URL("graphql", document.baseURI);

/* Run one operation; answer its data or throw an ApiError with the first error's code. */
export async function gql(query, variables = {}) {
  let response;
  try {
    response = await fetch(graphqlUrl, {
      method: "POST",
      credentials: "omit",
      headers: {
        "Content-Type": "application/json",
        Authorization: "Bearer " + storedToken(),
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch (error) {
    throw new ApiError("NETWORK", "The server cannot be reached: " + error.message);
  }
  let body = null;
  try {
    body = await response.json();
  } catch (error) {
    throw new ApiError("HTTP_" + response.status, "The server answered " + response.status);
  }
  if (body.errors && body.errors.length) {
    const first = body.errors[0];
    const code = (first.extensions && first.extensions.code) || "ERROR";
    throw new ApiError(code, first.message);
  }
  return body.data;
}

/* What a mutation's payload union may be instead of its result: the schema's refusals. */
export const REFUSALS =
  "... on InvalidInput { message } ... on NotFound { message }" +
  " ... on Forbidden { message } ... on Conflict { message }";

/* Refuse a mutation's payload that is one of the schema's error types (they carry `message`). */
export function payloadOrThrow(payload, typename) {
  if (payload && payload.__typename !== typename) {
    throw new ApiError(payload.__typename || "ERROR", payload.message || "The change was refused");
  }
  return payload;
}

let socket = null;

function subscriptions() {
  if (socket === null) {
    const url = new URL("graphql", document.baseURI);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    socket = window.graphqlWs.createClient({
      url: url.href,
      lazy: true,
      retryAttempts: 1000,
      shouldRetry: () => storedToken() !== null,
      /* Read at each (re)connect, so a new sign-in takes effect. */
      connectionParams: () => ({ Authorization: "Bearer " + storedToken() }),
    });
  }
  return socket;
}

/*
 * Follow a subscription: ``onData(data)`` for each event, ``onError(ApiError)`` when the server
 * refuses it. Answers a function that stops following.
 */
export function follow(query, variables, onData, onError = () => {}) {
  return subscriptions().subscribe(
    { query, variables },
    {
      next(result) {
        if (result.errors && result.errors.length) {
          const first = result.errors[0];
          onError(new ApiError((first.extensions && first.extensions.code) || "ERROR", first.message));
        } else if (result.data) {
          onData(result.data);
        }
      },
      error(error) {
        onError(new ApiError("SUBSCRIPTION", String((error && error.reason) || error)));
      },
      complete() {},
    },
  );
}

/* Close the subscription socket (on sign-out), so no stream outlives the token. */
export function closeSubscriptions() {
  if (socket !== null) {
    socket.dispose();
    socket = null;
  }
}
