// The error every api verb throws: an ApiError (code, message, field) carried as an Error.
import type { ApiError, ErrorCode } from '../../../src-shared/errors.js';

export class ApiCallError extends Error implements ApiError {
  readonly code: ErrorCode;
  readonly field?: string;

  constructor(error: ApiError) {
    super(error.message);
    this.name = 'ApiCallError';
    this.code = error.code;
    if (error.field !== undefined) this.field = error.field;
  }
}

/** A message fit for the UI, whatever was thrown. */
export function errorText(err: unknown): string {
  if (err instanceof ApiCallError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
