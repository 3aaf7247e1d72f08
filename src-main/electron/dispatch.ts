// The IPC choke point's logic: sender verdict, call-name check, argument validation, errors as data.
// ipc.ts feeds it Electron events; this file must not import electron so it is tested under plain Node.
import type { z } from 'zod';
import type { DesktopCallName, DesktopCallResults, Result } from '../../src-shared/index.js';
import { MailwrightError, desktopCallArgs, isCallName, toApiError } from '../../src-shared/index.js';

export type ParsedDesktopArgs<K extends DesktopCallName> = z.output<(typeof desktopCallArgs)[K]>;

/** Desktop verbs get the context of the calling window (dialogs are modal to it). */
export type DesktopHandlers<Ctx> = {
  [K in DesktopCallName]: (args: ParsedDesktopArgs<K>, ctx: Ctx) => Promise<DesktopCallResults[K]>;
};

export interface DispatchDeps<Ctx> {
  /** Core.invoke: validates contract arguments itself and already returns errors as data. */
  invoke(name: string, args: unknown): Promise<Result<unknown>>;
  desktop: DesktopHandlers<Ctx>;
}

export function isDesktopCallName(name: unknown): name is DesktopCallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(desktopCallArgs, name);
}

export type Dispatch<Ctx> = (
  sender: { trusted: boolean; ctx: Ctx },
  name: unknown,
  args: unknown,
) => Promise<Result<unknown>>;

export function createDispatcher<Ctx>(deps: DispatchDeps<Ctx>): Dispatch<Ctx> {
  return async (sender, name, args) => {
    try {
      if (!sender.trusted) throw new MailwrightError('forbidden', 'this frame may not call the back end');
      if (isCallName(name)) return await deps.invoke(name, args);
      if (!isDesktopCallName(name)) throw new MailwrightError('not_found', `unknown call: ${describe(name)}`);
      return { ok: true, value: await runDesktop(deps.desktop, name, args, sender.ctx) };
    } catch (err) {
      return { ok: false, error: toApiError(err, describe(name)) };
    }
  };
}

async function runDesktop<K extends DesktopCallName, Ctx>(
  handlers: DesktopHandlers<Ctx>,
  name: K,
  args: unknown,
  ctx: Ctx,
): Promise<DesktopCallResults[K]> {
  const parsed = desktopCallArgs[name].safeParse(args ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MailwrightError(
      'invalid_argument',
      `${name}: ${issue?.message ?? 'invalid arguments'}`,
      issue?.path.join('.') || undefined,
    );
  }
  const handler = handlers[name] as (a: unknown, c: Ctx) => Promise<DesktopCallResults[K]>;
  return handler(parsed.data, ctx);
}

/** Call names come from an untrusted renderer; never echo a huge or non-string value back. */
function describe(name: unknown): string {
  return typeof name === 'string' ? JSON.stringify(name.slice(0, 100)) : typeof name;
}
