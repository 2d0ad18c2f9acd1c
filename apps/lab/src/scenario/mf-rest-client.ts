/** Thrown for a REST answer outside 2xx; carries the status and the API's message only. */
export class MfRestError extends Error {
  override readonly name = 'MfRestError';
  constructor(
    readonly status: number,
    what: string,
    message: string,
  ) {
    super(`${what}: HTTP ${status} ${message}`);
  }
}

/** A logged-in user of the MF REST API (bearer token from POST /api/v1/auth/login). */
export class MfRestSession {
  private constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    readonly user: string,
  ) {}

  static async login(baseUrl: string, user: string, password: string): Promise<MfRestSession> {
    const body = await call<{ accessToken: string }>(baseUrl, 'POST', '/api/v1/auth/login', {
      body: { name: user, password },
    });
    return new MfRestSession(baseUrl, body.accessToken, user);
  }

  get<T>(path: string): Promise<T> {
    return call<T>(this.baseUrl, 'GET', path, { token: this.token });
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return call<T>(this.baseUrl, 'POST', path, { token: this.token, body });
  }
}

async function call<T>(
  baseUrl: string,
  method: string,
  path: string,
  o: { token?: string; body?: unknown },
): Promise<T> {
  const r = await fetch(new URL(path, baseUrl), {
    method,
    headers: {
      ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
      ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await r.text();
  const json = (text ? JSON.parse(text) : undefined) as unknown;
  if (!r.ok) {
    const message =
      json && typeof json === 'object' && 'message' in json ? String(json.message) : r.statusText;
    throw new MfRestError(r.status, `${method} ${path}`, message);
  }
  return json as T;
}
