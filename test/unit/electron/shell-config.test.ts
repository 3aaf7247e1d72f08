// Environment settings of the desktop shell and the mail files a command line names.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { DEFAULT_SMTP, defaultSettings } from '../../../src-main/core/defaults.js';
import { resolveLayers } from '../../../src-main/core/settings-layers.js';
import { DEFAULT_RETENTION } from '../../../src-main/store/index.js';
import { mailFilesFromArgv, readShellConfig } from '../../../src-main/electron/shell-config.js';

describe('readShellConfig', () => {
  it('defaults to the user profile and the default SMTP listener', () => {
    expect(readShellConfig({})).toEqual({ dataDir: null, layers: [] });
  });

  it('honours MAILWRIGHT_DATA and MAILWRIGHT_SMTP (port 0 for tests)', () => {
    const cfg = readShellConfig({ MAILWRIGHT_DATA: 'tmp/profile', MAILWRIGHT_SMTP: '127.0.0.1:0' });
    expect(cfg.dataDir).toBe(path.resolve('tmp/profile'));
    expect(resolveLayers(defaultSettings(DEFAULT_RETENTION), cfg.layers).document.listeners).toEqual([
      { ...DEFAULT_SMTP, host: '127.0.0.1', port: 0 },
    ]);
  });

  it('reads MAILWRIGHT_CONFIG, and MAILWRIGHT_SMTP moves the "smtp" listener the file defines', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'mw-shell-')), 'mailwright.yaml');
    writeFileSync(file, 'listeners:\n  - { id: smtp, host: 127.0.0.1, port: 2525, tls: none }\n');
    const cfg = readShellConfig({ MAILWRIGHT_CONFIG: file, MAILWRIGHT_SMTP: '127.0.0.1:0' });
    const resolved = resolveLayers(defaultSettings(DEFAULT_RETENTION), cfg.layers);
    expect(resolved.document.listeners).toEqual([{ id: 'smtp', host: '127.0.0.1', port: 0, tls: 'none' }]);
    expect(resolved.pinned).toEqual([
      { path: 'listeners', source: `config file ${file}` },
      { path: 'listeners.smtp', source: 'MAILWRIGHT_SMTP' },
    ]);
    writeFileSync(file, 'listeners:\n  - { id: smtp, host: 127.0.0.1, port: 2525, tls: tls13 }\n');
    expect(() => readShellConfig({ MAILWRIGHT_CONFIG: file })).toThrow(/listeners\.0\.tls/);
  });

  it('names the variable when MAILWRIGHT_SMTP is malformed', () => {
    for (const bad of ['1025', '127.0.0.1:99999', 'host:port']) {
      expect(() => readShellConfig({ MAILWRIGHT_SMTP: bad })).toThrow(/MAILWRIGHT_SMTP/);
    }
  });
});

describe('mailFilesFromArgv', () => {
  it('keeps .eml and .mbox arguments, skips the executable, flags and the app path', () => {
    const argv = [
      '/usr/bin/electron',
      '.',
      '--inspect=0',
      'out/main/index.js',
      'a.EML',
      '/x/b.mbox',
      'c.txt',
      '--flag=x.eml',
    ];
    expect(mailFilesFromArgv(argv)).toEqual([path.resolve('a.EML'), path.resolve('/x/b.mbox')]);
  });

  it('takes at most 100 files from one command line', () => {
    const argv = ['app', ...Array.from({ length: 500 }, (_, i) => `m${i}.eml`)];
    expect(mailFilesFromArgv(argv)).toHaveLength(100);
  });
});
