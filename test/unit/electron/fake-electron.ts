// A stand-in for Electron's main-process modules, enough to run main.ts and the real Core under Node
// (no Electron binary here). Tests mock 'electron' with `electron` and drive it through `state`.
import { pathToFileURL } from 'node:url';

export type Fn = (...args: any[]) => any;
export const state = {
  appListeners: new Map<string, Fn[]>(),
  paths: new Map<string, string>(),
  handlers: new Map<string, Fn>(),
  protocols: new Map<string, Fn>(),
  windows: [] as any[],
  sent: [] as unknown[][],
  errors: [] as string[],
  quits: 0,
  saveTo: '',
  folder: '',
  /** What the next open dialog returns; the attachments folder when null. */
  openPaths: null as string[] | null,
  onWindow: null as null | (() => void),
  onSend: null as null | (() => void),
  onQuit: null as null | (() => void),
};
class BrowserWindow {
  destroyed = false;
  webContents: any;
  constructor(public options: any) {
    const frame = { processId: 1, routingId: 1, parent: null, url: 'about:blank' };
    this.webContents = {
      mainFrame: frame,
      isDestroyed: () => false,
      getURL: () => frame.url,
      send: (...args: unknown[]) => {
        state.sent.push(args);
        state.onSend?.();
      },
    };
    state.windows.push(this);
  }
  isDestroyed() {
    return this.destroyed;
  }
  once() {}
  isMinimized() {
    return false;
  }
  focus() {}
  loadFile(p: string) {
    this.webContents.mainFrame.url = pathToFileURL(p).href;
    state.onWindow?.();
    return Promise.resolve();
  }
  loadURL(u: string) {
    this.webContents.mainFrame.url = u;
    return Promise.resolve();
  }
  static getAllWindows() {
    return state.windows.filter((w) => !w.destroyed);
  }
  static fromWebContents(wc: unknown) {
    return state.windows.find((w) => w.webContents === wc) ?? null;
  }
}
const ses = {
  webRequest: { onHeadersReceived: () => {} },
  setPermissionRequestHandler: () => {},
  setPermissionCheckHandler: () => {},
  setDevicePermissionHandler: () => {},
  on: () => {},
  protocol: { handle: (scheme: string, fn: Fn) => state.protocols.set(scheme, fn) },
};
export const electron = {
  app: {
    isPackaged: false,
    on: (name: string, fn: Fn) => state.appListeners.set(name, [...(state.appListeners.get(name) ?? []), fn]),
    setPath: (name: string, p: string) => state.paths.set(name, p),
    getPath: (name: string) => state.paths.get(name) ?? '/nonexistent-real-profile',
    enableSandbox: () => {},
    requestSingleInstanceLock: () => true,
    whenReady: () => Promise.resolve(),
    quit: () => {
      state.quits++;
      state.onQuit?.();
    },
    exit: (code: number) => state.errors.push(`exit ${code}`),
  },
  BrowserWindow,
  ipcMain: {
    handle: (ch: string, fn: Fn) => state.handlers.set(ch, fn),
    removeHandler: (ch: string) => state.handlers.delete(ch),
  },
  protocol: { registerSchemesAsPrivileged: () => {} },
  session: { defaultSession: ses },
  dialog: {
    showErrorBox: (title: string, text: string) => state.errors.push(`${title}: ${text}`),
    showSaveDialog: async () => ({ canceled: false, filePath: state.saveTo }),
    showOpenDialog: async () => ({ canceled: false, filePaths: state.openPaths ?? [state.folder] }),
    showMessageBox: async () => ({ response: 1 }),
  },
  shell: { openExternal: async () => {} },
  // A stand-in keychain: reversible, and visibly not the plain text, which is all main.ts relies on.
  safeStorage: {
    isEncryptionAvailable: () => true,
    encryptString: (plain: string) => Buffer.from(`fake-keychain:${Buffer.from(plain).toString('hex')}`),
    decryptString: (sealed: Buffer) => Buffer.from(sealed.toString().replace(/^fake-keychain:/, ''), 'hex').toString(),
  },
};

/** Resolves when `ready()` holds, re-checked on each fake callback; the test timeout bounds it. */
export function until(hook: 'onWindow' | 'onSend' | 'onQuit', ready: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (ready()) return resolve();
    state[hook] = () => {
      if (ready()) {
        state[hook] = null;
        resolve();
      }
    };
  });
}
