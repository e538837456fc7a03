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

/** GET an API path with the session's token; throws ApiError with the API's machine-readable code. */
export async function apiGet<T>(path: string): Promise<T> {
  const token = accessToken();
  const res = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  if (!res.ok) throw new ApiError(res.status, body?.error?.code ?? `HTTP_${res.status}`, body?.error?.message ?? res.statusText);
  return body as T;
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
