// `mailwright baseline check`: compares a message with a key's golden baseline on a running instance, for CI.
// Exit 0 when the verdict is `same`, 1 when `changed`, 2 when it cannot compare (no such key or message).
import type { Baseline, BaselineComparison } from '../../src-shared/index.js';
import { CliError, EXIT, call, type Answer, type Connection } from './client.js';

export async function baselineCheckCommand(
  c: Connection,
  o: { key?: string | undefined; message?: string | undefined; json: boolean },
  out: (text: string) => void,
): Promise<number> {
  const { key, message } = o;
  if (!key) throw new CliError('baseline check needs --key K', EXIT.badInput);
  if (message === undefined || !(message === 'latest' || /^[1-9]\d{0,15}$/.test(message)))
    throw new CliError('baseline check needs --message latest or --message ID (a message id)', EXIT.badInput);
  // The key first, so an unknown key is told apart from a key with no message yet.
  const list = await call(c, '/api/baselines');
  if (list.status !== 200) throw failed(list, 'baselines');
  const known = list.json<{ baselines: Baseline[] }>().baselines.map((b) => b.key);
  if (!known.includes(key))
    throw new CliError(
      `no baseline for the key "${key}"${known.length ? ` (known: ${known.slice(0, 10).join(', ')})` : ''}`,
      EXIT.badInput,
    );
  const answer = await call(
    c,
    `/api/baselines/${encodeURIComponent(key)}/compare?message=${encodeURIComponent(message)}`,
  );
  if (answer.status !== 200) throw failed(answer, `compare ${key}`);
  const result = answer.json<BaselineComparison>();
  if (o.json) out(`${JSON.stringify(result, null, 2)}\n`);
  else {
    out(`${result.verdict}: message ${result.messageId} against the baseline "${key}"\n`);
    for (const reason of result.reasons) out(`  ${reason}\n`);
    for (const w of result.pixelRatio)
      out(
        `  ${w.width}px: ${w.pixelRatio === null ? (w.note ?? 'not compared') : `${(w.pixelRatio * 100).toFixed(3)}% pixels changed`}\n`,
      );
  }
  return result.verdict === 'same' ? EXIT.ok : EXIT.notFound;
}

/** Anything but a comparison is "cannot compare" (2), a server fault included: CI must not read it as `changed`. */
function failed(answer: Answer, what: string): CliError {
  let message = `HTTP ${answer.status}`;
  try {
    const e = answer.json<{ error?: { message?: string } }>().error;
    if (e?.message) message = e.message;
  } catch {
    // not JSON: the status says enough
  }
  return new CliError(`${what}: ${message}`, EXIT.badInput);
}
