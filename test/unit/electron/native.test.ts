// Where the app looks for its Electron-ABI better-sqlite3, and that the build script writes to the same place.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { devNativePath, locateNativeBinding, nativeBindingPath } from '../../../src-main/electron/native.js';
import { nativeBuildPath } from '../../../scripts/lib/electron-binary.mjs';

const base = { resourcesPath: '/opt/Mailwright/resources', electronVersion: '39.5.0', projectDir: '/src/mailwright' };

describe('native binding location', () => {
  it('uses resources/native in a packaged app', () => {
    expect(nativeBindingPath({ ...base, isPackaged: true })).toBe(
      path.join('/opt/Mailwright/resources', 'native', 'better_sqlite3.node'),
    );
  });

  it('uses .native/electron-<version> in dev, the same path the build script writes', () => {
    const dev = nativeBindingPath({ ...base, isPackaged: false });
    expect(dev).toBe(path.join('/src/mailwright', '.native', 'electron-39.5.0', 'better_sqlite3.node'));
    expect(nativeBuildPath('/src/mailwright', '39.5.0')).toBe(dev);
    expect(devNativePath('/src/mailwright', '39.5.0')).toBe(dev);
  });

  it('reports a missing build with the command that makes it', () => {
    const missing = locateNativeBinding({ ...base, isPackaged: false }, () => false);
    expect(missing.ok).toBe(false);
    expect(!missing.ok && missing.message).toContain('node scripts/build-native-electron.mjs');
    const packaged = locateNativeBinding({ ...base, isPackaged: true }, () => false);
    expect(!packaged.ok && packaged.message).toContain('Reinstall');
    const found = locateNativeBinding({ ...base, isPackaged: false }, (p) => p.endsWith('better_sqlite3.node'));
    expect(found).toEqual({ ok: true, path: nativeBuildPath('/src/mailwright', '39.5.0') });
  });
});
