/**
 * REST access for the dashboard: `getJson(path)` / `send(method, path, body)` against the job manager that
 * served the page (same origin, Flink's v1 paths). When the cluster answers 401 (bearer tokens configured,
 * auth.ts), the user is prompted once for a token, which is kept in sessionStorage (this tab only) and
 * sent as `Authorization: Bearer …` from then on.
 *
 * Invariants: one prompt at a time (concurrent 401s share it; a 401 answered after another request's
 * prompt stored a new token retries with that token); a cancelled prompt fails the request with
 * the server's message; error bodies `{"errors":[…]}` become the thrown Error's message.
 */
const TOKEN_KEY = 'sluice.token';
let pendingPrompt = null;

function token() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function askForToken(message) {
  if (!pendingPrompt) {
    pendingPrompt = Promise.resolve()
      .then(() => {
        const t = window.prompt(`${message}\nBearer token for this cluster:`, '');
        if (t?.trim()) sessionStorage.setItem(TOKEN_KEY, t.trim());
        return Boolean(t?.trim());
      })
      .finally(() => {
        pendingPrompt = null;
      });
  }
  return pendingPrompt;
}

export function forgetToken() {
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    /* storage unavailable */
  }
}

async function request(method, path, body, retried = false, raw = false) {
  const headers = { accept: raw ? 'text/plain' : 'application/json' };
  const t = token();
  if (t) headers.authorization = `Bearer ${t}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  const text = await res.text();
  let json = null;
  if (text && !(raw && res.ok)) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (res.status === 401 && !retried) {
    const now = token();
    if (now && now !== t) return request(method, path, body, true, raw); // another request's prompt got a new token
    if (t) forgetToken();
    const msg = json && Array.isArray(json.errors) ? json.errors.join('; ') : 'Unauthorized';
    if (await askForToken(msg)) return request(method, path, body, true, raw);
  }
  if (!res.ok) {
    const msg = json && Array.isArray(json.errors) ? json.errors.join('; ') : `${res.status} ${res.statusText}`;
    const err = new Error(`${method} ${path}: ${msg}`);
    err.status = res.status;
    throw err;
  }
  return raw ? text : json;
}

export const getJson = (path) => request('GET', path);
/** A text reply (log files). */
export const getText = (path) => request('GET', path, undefined, false, true);
export const send = (method, path, body) => request(method, path, body);
