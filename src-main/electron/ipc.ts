// The one IPC choke point: every renderer call arrives on IPC_INVOKE_CHANNEL and goes through the
// dispatcher (sender check, name check, argument validation, errors as data). Push events go out here too.
import { BrowserWindow, ipcMain, type IpcMainInvokeEvent } from 'electron';
import type { CallName } from '../../src-shared/index.js';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../../src-shared/index.js';
import type { Core } from '../core/core.js';
import { createDesktopHandlers } from './desktop.js';
import { createDispatcher } from './dispatch.js';
import { isAppPageUrl, type RendererLocation } from './security.js';
import type { StoreChoice } from './store-choice.js';

export type WindowList = () => BrowserWindow[];

export function setupIpc(
  core: Core,
  storeChoice: StoreChoice,
  where: RendererLocation,
  windows: WindowList,
): () => void {
  const dispatch = createDispatcher<BrowserWindow | null>({
    invoke: (name, args) => core.invoke(name as CallName, args),
    desktop: createDesktopHandlers(core, storeChoice),
  });
  ipcMain.handle(IPC_INVOKE_CHANNEL, (event, name: unknown, args: unknown) => {
    const trusted = isTrustedSender(event, where, windows);
    return dispatch({ trusted, ctx: trusted ? BrowserWindow.fromWebContents(event.sender) : null }, name, args);
  });
  return () => ipcMain.removeHandler(IPC_INVOKE_CHANNEL);
}

/** Only the main frame of one of our windows, showing our own page, may call the back end. */
function isTrustedSender(event: IpcMainInvokeEvent, where: RendererLocation, windows: WindowList): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  const win = windows().find((w) => !w.isDestroyed() && w.webContents === event.sender);
  if (!win) return false;
  const main = win.webContents.mainFrame;
  if (frame.processId !== main.processId || frame.routingId !== main.routingId) return false;
  return isAppPageUrl(frame.url, where);
}

/** Forwards every core event to each live window that shows our page. Returns the unsubscribe. */
export function setupEventForwarding(core: Core, where: RendererLocation, windows: WindowList): () => void {
  return core.events.onAny((event, data) => {
    for (const win of windows()) {
      if (win.isDestroyed() || win.webContents.isDestroyed()) continue;
      if (!isAppPageUrl(win.webContents.getURL(), where)) continue;
      win.webContents.send(IPC_EVENT_CHANNEL, { event, data });
    }
  });
}
