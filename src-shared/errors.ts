// The error model: errors travel as data with a stable code and a human message.
// Must not import electron, node or DOM modules.

export const ERROR_CODES = [
  'invalid_argument',
  'not_found',
  'too_large',
  'conflict',
  'unauthorized',
  'forbidden',
  'unavailable',
  'unsupported',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ApiError {
  code: ErrorCode;
  message: string;
  /** The argument or setting the error is about, when there is one. */
  field?: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** Thrown inside the core; bindings turn it into an ApiError. */
export class MailwrightError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'MailwrightError';
    this.code = code;
    this.field = field;
  }

  toData(): ApiError {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
}

export function isApiError(value: unknown): value is ApiError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.message === 'string' && (ERROR_CODES as readonly unknown[]).includes(v.code);
}

/**
 * Turns anything thrown into an ApiError; the one function every binding (HTTP, IPC, preview protocol) uses.
 * A MailwrightError carries a message written for the user and passes as it is. Anything else is a bug whose text
 * may hold paths, SQL or a stack: the caller gets a generic message with an error id, and the detail goes to the
 * log under that id. `where` (a route, a verb) goes into the log line only.
 */
export function toApiError(err: unknown, where?: string): ApiError {
  if (err instanceof MailwrightError) return err.toData();
  if (isApiError(err)) return { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) };
  const id = newErrorId();
  console.error(`[internal error ${id}]${where ? ` ${where}:` : ''}`, err);
  return { code: 'internal', message: `internal error (id ${id}): the details are in Mailwright's log` };
}

/** Eight random bytes: unique enough to find one line in a log, and not a counter that says how many errors there were. */
function newErrorId(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** HTTP status for each error code, used by the HTTP binding. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_argument: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported: 415,
  internal: 500,
  unavailable: 503,
};
