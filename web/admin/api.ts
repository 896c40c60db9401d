// api.ts — the admin app's one door to the server: the public API on this
// host, with the session cookie, the CSRF token every change carries, and
// If-Match on edits. Errors come back as ApiError with the server's field
// details, so forms can show them on the fields they name.

export interface FieldIssue { field: string; issue: string }

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public details: FieldIssue[] = [],
    public requestId = '',
  ) {
    super(message);
  }
  /** The server's issue for one field, if it named that field. */
  field(name: string): string | undefined {
    return this.details.find((d) => d.field === name)?.issue;
  }
  /** If-Match lost: someone changed the record since it was read. */
  get stale(): boolean {
    // The admin API answers a lost If-Match with 409 naming If-Match.
    return this.status === 412 || (this.status === 409 && !!this.field('If-Match'));
  }
}

let csrf = '';
let onSignedOut: () => void = () => undefined;

/** Set from /v1/auth/me and login; sent on every change. */
export function setCsrf(token: string): void {
  csrf = token;
}

/** Called when the server answers 401: the session ended elsewhere. */
export function onUnauthorised(fn: () => void): void {
  onSignedOut = fn;
}

export interface CallOptions {
  /** The version the form was loaded at (sent as If-Match: "N"). */
  version?: number;
  /** A 401 here is an answer (sign-in), not a lost session. */
  quiet401?: boolean;
  signal?: AbortSignal;
  /** Extra request headers (e.g. Idempotency-Key on a booking). */
  headers?: Record<string, string>;
}

async function call<T>(method: string, path: string, body?: unknown, o: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  if (o.version !== undefined) headers['if-match'] = `"${o.version}"`;
  if (o.headers) Object.assign(headers, o.headers);
  let res: Response;
  try {
    res = await fetch(path, {
      method, headers, credentials: 'same-origin', signal: o.signal,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'We could not reach the server. Check your connection and try again.');
  }
  if (res.status === 204) return undefined as T;
  const json = await res.json().catch(() => null);
  if (res.ok) return json as T;
  const e = json?.error ?? {};
  let message: string = e.message || `The server answered ${res.status}.`;
  if (res.status === 429) message = 'Too many attempts. Wait a moment and try again.';
  if (res.status === 412) message = 'This was changed elsewhere since you opened it.';
  const err = new ApiError(res.status, e.code || 'error', message,
    Array.isArray(e.details) ? e.details : [], e.request_id || '');
  if (res.status === 401 && !o.quiet401) onSignedOut();
  throw err;
}

export const api = {
  get: <T>(path: string, o?: CallOptions) => call<T>('GET', path, undefined, o),
  post: <T>(path: string, body?: unknown, o?: CallOptions) => call<T>('POST', path, body ?? {}, o),
  put: <T>(path: string, body: unknown, o?: CallOptions) => call<T>('PUT', path, body, o),
  patch: <T>(path: string, body: unknown, o?: CallOptions) => call<T>('PATCH', path, body, o),
  del: <T = void>(path: string, o?: CallOptions, body?: unknown) => call<T>('DELETE', path, body, o),
};

/** The fetch shape push.ts wants (it knows nothing of sessions). */
export function rawFetch(path: string, init: { method: string; body?: string }): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  return fetch(path, { ...init, headers, credentials: 'same-origin' });
}

/** A list page of the API: items and the cursor of the next page. */
export interface Page<T> { items: T[]; next_cursor?: string | null }

/** Query string from an object, skipping empty values. */
export function qs(o: Record<string, string | number | boolean | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** A message for any thrown value, for a page's error state. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return 'Something went wrong. Try again.';
}
