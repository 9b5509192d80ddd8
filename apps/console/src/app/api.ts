/**
 * The console's only way to the ledger: the documented HTTP API, same origin, authenticated by the
 * session cookie; every write carries the session's CSRF token.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly responseCode?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  /** The caller's role may not do this, or the request was not the session's own (CSRF). */
  get refused(): boolean {
    return this.status === 403;
  }
}

let csrfToken = '';
let onSignedOut: () => void = () => undefined;

/** The session's CSRF token (from sign-in or `GET /v1/session`), and what to do when the session is gone. */
export const useSessionForRequests = (token: string, signedOut: () => void): void => {
  csrfToken = token;
  onSignedOut = signedOut;
};

const errorOf = (status: number, text: string): ApiError => {
  try {
    const { error } = JSON.parse(text) as { error?: { code?: string; message?: string; responseCode?: string; details?: Record<string, unknown> } };
    if (error?.code) return new ApiError(status, error.code, error.message ?? error.code, error.responseCode, error.details);
  } catch {
    /* not the API's error body: a proxy's page, say */
  }
  return new ApiError(status, `HTTP_${status}`, text.slice(0, 200) || `HTTP ${status}`);
};

const isWrite = (method: string) => method !== 'GET' && method !== 'HEAD';

const settle = <T>(status: number, text: string, path: string): T => {
  if (status === 401 && !path.startsWith('/v1/session')) onSignedOut();
  if (status < 200 || status >= 300) throw errorOf(status, text);
  return (text ? JSON.parse(text) : undefined) as T;
};

export const request = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (isWrite(method)) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  return settle<T>(res.status, await res.text(), path);
};

export const get = <T>(path: string) => request<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => request<T>('POST', path, body);

/** Uploads a file as the request body, reporting the bytes sent (fetch cannot report upload progress). */
export const upload = <T>(path: string, file: Blob, contentType: string, progress: (sent: number, total: number) => void): Promise<T> =>
  new Promise((done, fail) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('content-type', contentType);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.upload.onprogress = (e) => progress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      try {
        done(settle<T>(xhr.status, xhr.responseText, path));
      } catch (err) {
        fail(err);
      }
    };
    xhr.onerror = () => fail(new ApiError(0, 'NETWORK', 'the ledger could not be reached'));
    xhr.send(file);
  });

/** A query string from the given fields, leaving out the empty ones. */
export const query = (fields: Record<string, string | undefined>): string => {
  const q = new URLSearchParams(Object.entries(fields).filter((f): f is [string, string] => !!f[1]));
  return q.size ? `?${q}` : '';
};
