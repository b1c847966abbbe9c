// The demo page's script, served to the browser as an ES module. It uses the
// client exactly as an app would; the only extra is a logging `fetch`, so the
// page can show every request, including the refreshes nobody clicked for.
import { ClientSessionEndReason, createAuthClient, type AuthClient } from '../../../lib/client/index.js';

const element = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const found = document.getElementById(id);
  if (!found) throw new Error(`The demo page has no #${id}`);
  return found as T;
};

const params = new URLSearchParams(location.search);
// The server fills in its mode; ?mode=body|cookie overrides it for experiments.
const requestedMode = params.get('mode') ?? document.documentElement.dataset.refreshMode;
const mode = requestedMode === 'cookie' ? 'cookie' : 'body';

function log(text: string, kind: 'ok' | 'fail' | 'refresh' | 'event', data: Record<string, string> = {}): void {
  const item = document.createElement('li');
  item.className = kind;
  item.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  for (const [key, value] of Object.entries(data)) item.dataset[key] = value;
  element('log').prepend(item);
}

const loggingFetch: typeof fetch = async (input, init) => {
  const request = new Request(input, init);
  const path = new URL(request.url).pathname;
  const isRefresh = path.endsWith('/auth/refresh');
  try {
    const response = await fetch(request);
    let code = '';
    if (!response.ok && (response.headers.get('content-type') ?? '').includes('json')) {
      code = ((await response.clone().json()) as { code?: string }).code ?? '';
    }
    const text = `${request.method} ${path} → ${response.status}${code ? ` ${code}` : ''}${isRefresh ? '  (silent refresh)' : ''}`;
    log(text, isRefresh ? 'refresh' : response.ok ? 'ok' : 'fail', { method: request.method, path, status: String(response.status), code });
    return response;
  } catch (error) {
    log(`${request.method} ${path} → network error`, 'fail', { method: request.method, path, status: '0' });
    throw error;
  }
};

// ?lease=<ms> shortens the cross-tab lock's lease (the browser tests use it).
const lease = Number(params.get('lease'));
const api: AuthClient = createAuthClient({
  mode,
  fetch: loggingFetch,
  proactiveRefresh: params.get('proactive') !== '0',
  crossTab: Number.isFinite(lease) && lease >= 100 ? { lockLease: lease } : true,
});

element('mode').textContent = mode === 'cookie' ? 'an httpOnly cookie (this script never sees it)' : 'the response body (kept in memory)';
element('coordination').textContent = api.coordination;

function show(view: 'login' | 'session'): void {
  element('login-view').hidden = view !== 'login';
  element('session-view').hidden = view !== 'session';
  if (view === 'login') stopRepeat();
}

function banner(which: 'expired' | 'logged-out' | 'logged-out-elsewhere' | 'error' | null, text?: string): void {
  for (const id of ['expired', 'logged-out', 'logged-out-elsewhere', 'error']) element(id).hidden = id !== which;
  if (which === 'error' && text) element('error').textContent = text;
}

async function callMe(): Promise<void> {
  const response = await api('/me');
  if (response.ok) {
    const body = (await response.json()) as { user: { sub: string } };
    element('who').textContent = body.user.sub;
    element('me-result').textContent = JSON.stringify(body, null, 2);
  } else if (api.isAuthenticated()) {
    // A failure that did not end the session (server down, 5xx): say so instead of failing silently.
    banner('error', `GET /me failed with HTTP ${response.status}`);
  }
}

let repeat: ReturnType<typeof setInterval> | undefined;
function stopRepeat(): void {
  if (repeat !== undefined) clearInterval(repeat);
  repeat = undefined;
  element<HTMLInputElement>('me-repeat').checked = false;
}

api.on('login', (event) => {
  log(`logged in${event.source === 'other-tab' ? ' (in another tab)' : ''}`, 'event');
  banner(null);
  show('session');
  void callMe();
});
api.on('refresh', (event) => log(`tokens refreshed (${event.trigger}, ${event.source === 'this-tab' ? 'this tab' : 'another tab'})`, 'event'));
api.on('refreshError', (event) =>
  log(`refresh failed: ${event.code ?? `HTTP ${event.status}`}${event.final ? ', giving up for now' : `, retrying in ${Math.round(event.retryInMs ?? 0)} ms`}`, 'event'),
);
api.on('sessionExpired', (event) => {
  log(`session ended: ${event.reason}`, 'event', { reason: event.reason });
  // A logout in another tab is the user's own doing, not an expiry: say so.
  if (event.reason === ClientSessionEndReason.LOGGED_OUT) {
    banner('logged-out-elsewhere');
  } else {
    element('expired-reason').textContent = `(${event.reason})`;
    banner('expired');
  }
  show('login');
});
api.on('logout', () => {
  log('logged out', 'event');
  banner('logged-out');
  show('login');
});

const userSelect = element<HTMLSelectElement>('username');
userSelect.addEventListener('change', () => {
  element<HTMLInputElement>('password').value = userSelect.selectedOptions[0]?.dataset.password ?? '';
});

element('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  api.login({ username: userSelect.value, password: element<HTMLInputElement>('password').value }).catch((error: { message?: string }) => {
    banner('error', `Login failed: ${error.message ?? String(error)}`);
  });
});
element('me').addEventListener('click', () => void callMe());
element('me-parallel').addEventListener('click', () => {
  for (let i = 0; i < 5; i++) void callMe();
});
element<HTMLInputElement>('me-repeat').addEventListener('change', (event) => {
  if ((event.target as HTMLInputElement).checked) repeat = setInterval(() => void callMe(), 1000);
  else stopRepeat();
});
element('refresh-now').addEventListener('click', () => void api.refresh());
element('logout').addEventListener('click', () => void api.logout());
element('logout-all').addEventListener('click', () => void api.logoutAll());

setInterval(() => {
  const expiresAt = api.getExpiresAt();
  const countdown = element('countdown');
  if (expiresAt === null) {
    countdown.textContent = '–';
    return;
  }
  const left = Math.max(0, expiresAt - Date.now()) / 1000;
  countdown.textContent = `${left.toFixed(1)} s`;
  countdown.classList.toggle('low', left < 5);
}, 100);

// A reload, or a second tab: pick up the session from other tabs or the refresh cookie.
void api.resume().then((resumed) => {
  if (resumed) {
    show('session');
    void callMe();
  } else {
    show('login');
  }
  document.body.dataset.ready = 'true';
});
