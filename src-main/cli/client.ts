// The CLI's HTTP client: every command but `serve` talks to a running instance over its REST API, like any script.
import { MailwrightError } from '../../src-shared/index.js';

export interface Connection {
  /** Base URL without the trailing slash. */
  url: string;
  token: string | undefined;
}

export interface Answer {
  status: number;
  body: Buffer;
  json<T>(): T;
}

/** Exit codes: the contract of every command. */
/** `refused`: a send the server (or a guardrail) did not take, or whose connection failed. */
export const EXIT = { ok: 0, notFound: 1, refused: 1, badInput: 2 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export async function call(
  c: Connection,
  path: string,
  init: { method?: string; body?: Buffer | string; contentType?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (c.token) headers.Authorization = `Bearer ${c.token}`;
  if (init.body !== undefined) headers['Content-Type'] = init.contentType ?? 'application/json';
  let res: Response;
  try {
    res = await fetch(`${c.url}${path}`, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new CliError(
      `cannot reach Mailwright at ${c.url}${cause ? ` (${cause})` : ''}: start it with \`mailwright serve\` or pass --url`,
      EXIT.notFound,
    );
  }
  const body = Buffer.from(await res.arrayBuffer());
  return {
    status: res.status,
    body,
    json: <T>() => JSON.parse(body.toString('utf8')) as T,
  };
}

/** Turns an error answer into a CliError: 400s are bad input (2), 404 and 408 not found / timeout (1). */
export function failure(answer: Answer, what: string): CliError {
  let message = `HTTP ${answer.status}`;
  try {
    const e = answer.json<{ error?: { message?: string } }>().error;
    if (e?.message) message = e.message;
  } catch {
    // not JSON: the status says enough
  }
  const code =
    answer.status === 404 || answer.status === 408
      ? EXIT.notFound
      : answer.status < 500
        ? EXIT.badInput
        : EXIT.notFound;
  return new CliError(`${what}: ${message}`, code);
}

export { MailwrightError };
