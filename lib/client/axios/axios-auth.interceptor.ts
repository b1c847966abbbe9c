import type { AxiosError, AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { AuthClient } from '../auth-client.js';

/** What the interceptors remember on a request config (a plain string key: axios copies it when a request is re-sent). */
const STATE = '__nestjsJwtRefresh';

interface AuthState {
  /** The access token this attempt carried. */
  token?: string;
  /** Whether this attempt is the one retry. */
  retried?: boolean;
}

type StatefulConfig = InternalAxiosRequestConfig & { [STATE]?: AuthState };

/**
 * Makes an axios instance authenticate through an `AuthClient`, with the same
 * rules as the client's own `fetch`: the bearer token only for URLs under the
 * client's `baseUrl`; a token known to be expired refreshed before sending;
 * a `TOKEN_EXPIRED` answer refreshed once (one refresh however many requests
 * meet it at once) and the request retried once; a code that ends the session
 * (`TOKEN_REVOKED`, `INVALID_TOKEN`, a failed refresh) ends it, emitting
 * `sessionExpired`; a `LOGIN_REQUIRED` answer emits `loginRequired` and keeps
 * the session; the request rejects with the original `AxiosError`.
 * Returns a function that removes the interceptors.
 *
 * ```ts
 * const api = createAuthClient({ baseUrl: 'https://api.example.com' });
 * const http = axios.create({ baseURL: 'https://api.example.com' });
 * attachAuthClient(http, api);
 * await api.login({ username, password });
 * const { data } = await http.get('/me');
 * ```
 * Bodies are re-sent as axios left them after the first attempt (strings,
 * buffers, form data); a one-shot stream body cannot be retried.
 * @publicApi
 */
export function attachAuthClient(instance: AxiosInstance, client: AuthClient): () => void {
  const request = instance.interceptors.request.use(async (config: StatefulConfig) => {
    const state: AuthState = { ...config[STATE] };
    const token = await client.hooks.tokenFor(instance.getUri(config));
    state.token = token ?? undefined;
    if (token) config.headers.set('Authorization', `Bearer ${token}`);
    config[STATE] = state;
    return config;
  });

  const response = instance.interceptors.response.use(
    async (answer: AxiosResponse) => {
      const state = (answer.config as StatefulConfig)[STATE];
      if (state?.token) await client.hooks.settle({ token: state.token, status: answer.status, retried: state.retried === true });
      return answer;
    },
    async (error: AxiosError) => {
      const config = error.config as StatefulConfig | undefined;
      const state = config?.[STATE];
      if (!config || !state?.token || !error.response) throw error;
      const data = error.response.data as { code?: unknown; message?: unknown; authTime?: unknown; maxAge?: unknown } | undefined;
      const retryWith = await client.hooks.settle({
        token: state.token,
        status: error.response.status,
        code: typeof data?.code === 'string' ? data.code : undefined,
        message: typeof data?.message === 'string' ? data.message : undefined,
        retried: state.retried === true,
        url: instance.getUri(config),
        ...(typeof data?.authTime === 'string' && { authTime: data.authTime }),
        ...(typeof data?.maxAge === 'number' && { maxAge: data.maxAge }),
      });
      if (!retryWith) throw error;
      // The request interceptor runs again and sets the new token; the flag stops a second retry.
      config[STATE] = { retried: true };
      return instance.request(config);
    },
  );

  return () => {
    instance.interceptors.request.eject(request);
    instance.interceptors.response.eject(response);
  };
}
