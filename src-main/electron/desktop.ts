// Desktop-only verbs: native dialogs (save raw, save attachments, save a listener's certificate, import files) and opening links
// outside the app after the user agrees. The file work itself is in desktop-files.ts.
import { writeFile } from 'node:fs/promises';
import { dialog, shell, type BrowserWindow, type MessageBoxOptions, type OpenDialogOptions } from 'electron';
import { MailwrightError, type CallName, type CallResult } from '../../src-shared/index.js';
import type { Core } from '../core/core.js';
import { importMailFiles, saveAttachments, saveRaw } from './desktop-files.js';
import type { DesktopHandlers } from './dispatch.js';
import { externalUrl, openExternalQuestion } from './security.js';
import type { StoreChoice } from './store-choice.js';

// One confirm at a time: a hostile preview that keeps trying to navigate must not stack up dialogs.
let confirmOpen = false;

/** Asks "Open … in your browser?" and opens it only on yes. Returns whether it was opened. */
export async function openExternalWithConsent(win: BrowserWindow | null, rawUrl: string): Promise<boolean> {
  const url = externalUrl(rawUrl);
  if (!url || confirmOpen) return false;
  confirmOpen = true;
  try {
    const options: MessageBoxOptions = {
      type: 'question',
      buttons: ['Open', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      noLink: true,
      message: openExternalQuestion(url),
    };
    const { response } = win ? await dialog.showMessageBox(win, options) : await dialog.showMessageBox(options);
    if (response !== 0) return false;
    await shell.openExternal(url.href);
    return true;
  } finally {
    confirmOpen = false;
  }
}

function showOpen(win: BrowserWindow | null, options: OpenDialogOptions) {
  return win ? dialog.showOpenDialog(win, options) : dialog.showOpenDialog(options);
}

/** A core verb's value, or its error thrown as a MailwrightError. */
async function invoke<K extends CallName>(core: Core, name: K, args: unknown): Promise<CallResult<K>> {
  const r = await core.invoke(name, args);
  if (!r.ok) throw new MailwrightError(r.error.code, r.error.message, r.error.field);
  return r.value;
}

export function createDesktopHandlers(core: Core, storeChoice: StoreChoice): DesktopHandlers<BrowserWindow | null> {
  return {
    // The running store does not change: the choice is read at the next start (Settings → Storage says so).
    'desktop.getStore': () => Promise.resolve(storeChoice.view()),
    'desktop.setStore': (args) => Promise.resolve().then(() => storeChoice.set(args)),
    'desktop.saveRaw': async ({ id }, win) => {
      const raw = await core.raw(id); // not_found before any dialog opens
      const options = { defaultPath: `message-${id}.eml`, filters: [{ name: 'Email message', extensions: ['eml'] }] };
      const picked = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
      if (picked.canceled || !picked.filePath) return { path: null };
      await saveRaw(picked.filePath, raw);
      return { path: picked.filePath };
    },
    'desktop.saveAttachments': async ({ id, partIds }, win) => {
      await core.raw(id); // not_found before any dialog opens
      const picked = await showOpen(win, {
        title: 'Save attachments to folder',
        buttonLabel: 'Save here',
        properties: ['openDirectory', 'createDirectory'],
      });
      const folder = picked.canceled ? undefined : picked.filePaths[0];
      if (!folder) return { folder: null, written: [] };
      return { folder, written: await saveAttachments(folder, id, partIds, core) };
    },
    'desktop.importFiles': async (_args, win) => {
      const picked = await showOpen(win, {
        title: 'Import messages',
        properties: ['openFile', 'multiSelections'],
        filters: [{ name: 'Email (.eml, .mbox)', extensions: ['eml', 'mbox'] }],
      });
      if (picked.canceled || picked.filePaths.length === 0) return null;
      return importMailFiles(picked.filePaths, (file) => core.importFile(file));
    },
    'desktop.saveCertificate': async ({ id }, win) => {
      const cert = await core.invoke('listeners.certificate', { id }); // not_found before any dialog opens
      if (!cert.ok) throw new MailwrightError(cert.error.code, cert.error.message, cert.error.field);
      const options = {
        defaultPath: cert.value.filename,
        filters: [{ name: 'PEM certificate', extensions: ['pem', 'crt'] }],
      };
      const picked = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
      if (picked.canceled || !picked.filePath) return { path: null };
      await writeFile(picked.filePath, cert.value.pem, { mode: 0o644 });
      return { path: picked.filePath };
    },
    'desktop.saveExport': async (args, win) => {
      // The export is made (and a bad run id refused) before any dialog opens.
      const file =
        args.kind === 'profiles'
          ? await invoke(core, 'compose.profiles.export', {}).then((v) => ({
              filename: 'mailwright-profiles.json',
              extension: 'json',
              content: JSON.stringify(v, null, 2),
            }))
          : await invoke(core, 'compose.bulk.export', { id: args.id, format: args.format }).then((v) => ({
              filename: v.filename,
              extension: args.format ?? 'json',
              content: v.content,
            }));
      const options = {
        defaultPath: file.filename,
        filters: [{ name: file.extension === 'csv' ? 'CSV' : 'JSON', extensions: [file.extension] }],
      };
      const picked = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
      if (picked.canceled || !picked.filePath) return { path: null };
      await writeFile(picked.filePath, file.content, { mode: 0o644 });
      return { path: picked.filePath };
    },
    'desktop.openExternal': async ({ url }, win) => {
      if (!externalUrl(url))
        throw new MailwrightError('invalid_argument', 'only http, https and mailto links open outside the app', 'url');
      return { opened: await openExternalWithConsent(win, url) };
    },
  };
}
