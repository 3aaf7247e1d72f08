// The sandboxed preload: exposes exactly `window.mailwright` (MailwrightBridge) and nothing else:
// no ipcRenderer, no channel names, no IPC event objects. Bundled as CommonJS; may require only 'electron'.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ContractVerbs, DesktopVerbs, EventEnvelope, MailwrightBridge, Result } from '../../src-shared/index.js';
import {
  CALL_NAMES as CONTRACT_VERBS,
  DESKTOP_CALL_NAMES as DESKTOP_VERBS,
  IPC_EVENT_CHANNEL as EVENT_CHANNEL,
  IPC_INVOKE_CHANNEL as INVOKE_CHANNEL,
} from '../../src-shared/names.js';

async function invoke(name: string, args: unknown): Promise<Result<unknown>> {
  try {
    return (await ipcRenderer.invoke(INVOKE_CHANNEL, name, args ?? {})) as Result<unknown>;
  } catch (err) {
    // Only reached if the main process has no handler (starting up or shutting down).
    return { ok: false, error: { code: 'unavailable', message: err instanceof Error ? err.message : String(err) } };
  }
}

function verbsFor(names: readonly string[]): Record<string, (args: unknown) => Promise<Result<unknown>>> {
  return Object.fromEntries(names.map((name) => [name, (args: unknown) => invoke(name, args)]));
}

const bridge: MailwrightBridge = {
  kind: 'desktop',
  verbs: verbsFor(CONTRACT_VERBS) as unknown as ContractVerbs,
  desktop: verbsFor(DESKTOP_VERBS) as unknown as DesktopVerbs,
  onEvent(listener: (event: EventEnvelope) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
    const forward = (_event: IpcRendererEvent, envelope: EventEnvelope): void => listener(envelope);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld('mailwright', bridge);
