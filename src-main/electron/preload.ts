// The sandboxed preload: exposes exactly `window.mailwright` (MailwrightBridge) and nothing else:
// no ipcRenderer, no channel names, no IPC event objects. Bundled as CommonJS; may require only 'electron'.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { EventEnvelope, MailwrightBridge, Result } from '../../src-shared/index.js';
import { IPC_EVENT_CHANNEL as EVENT_CHANNEL, IPC_INVOKE_CHANNEL as INVOKE_CHANNEL } from '../../src-shared/ipc.js';

async function invoke(name: unknown, args: unknown): Promise<Result<unknown>> {
  try {
    return (await ipcRenderer.invoke(INVOKE_CHANNEL, name, args ?? {})) as Result<unknown>;
  } catch (err) {
    // Only reached if the main process has no handler (starting up or shutting down).
    return { ok: false, error: { code: 'unavailable', message: err instanceof Error ? err.message : String(err) } };
  }
}

const bridge: MailwrightBridge = {
  kind: 'desktop',
  // The main process's dispatcher checks the sender, the name and the arguments of every call.
  call: invoke,
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
