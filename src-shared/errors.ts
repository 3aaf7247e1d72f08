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

/** Turns anything thrown into an ApiError without leaking stack traces. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof MailwrightError) return err.toData();
  if (isApiError(err)) return { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message: message || 'internal error' };
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
