// Signed-in API access for the dashboards. The access token comes from the page's URL fragment
// (`#token=…`: never sent to a server, removed from the address bar at once) or a form, and lives in
// sessionStorage for this tab only. The app signs players in with their wallet (SIWE); operators
// paste the token of their wallet session.
const KEY = 'oneheart.accessToken';

export function accessToken(): string | null {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (m?.[1]) {
    sessionStorage.setItem(KEY, decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem(KEY);
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** Calls an API path with the session's token; throws ApiError with the API's machine-readable code. */
async function apiCall<T>(path: string, init: RequestInit = {}): Promise<T> {
  const token = accessToken();
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { ...init, headers });
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  if (!res.ok) throw new ApiError(res.status, body?.error?.code ?? `HTTP_${res.status}`, body?.error?.message ?? res.statusText);
  return body as T;
}

/** GET an API path with the session's token. */
export const apiGet = <T>(path: string): Promise<T> => apiCall<T>(path);

/** POST a JSON body to an API path with the session's token. */
export const apiPost = <T>(path: string, body: unknown): Promise<T> => apiCall<T>(path, { method: 'POST', body: JSON.stringify(body) });

/** Shows the sign-in form for a refused or missing token (401/403), else the error, in `host`. */
export function showLoadError(host: HTMLElement, err: unknown, who: string): void {
  if (err instanceof ApiError && (err.status === 401 || err.status === 403)) askForToken(host, `Sign in as ${who} (${err.code}).`);
  else host.textContent = `Could not load the dashboard: ${(err as Error).message}`;
}

/** Shows a token form in `host` (for a missing or refused token); reloads on submit. */
export function askForToken(host: HTMLElement, why: string): void {
  host.replaceChildren();
  const p = document.createElement('p');
  p.textContent = why;
  const input = document.createElement('input');
  input.placeholder = 'access token (Bearer)';
  input.id = 'token';
  const button = document.createElement('button');
  button.textContent = 'Use token';
  button.addEventListener('click', () => {
    sessionStorage.setItem(KEY, input.value.trim());
    location.reload();
  });
  host.append(p, input, button);
}
