// Defaults shared by both shells: where data lives and which listeners start.
// Must not import electron: the desktop shell passes app.getPath('userData') in.
import os from 'node:os';
import path from 'node:path';
import {
  SECTION_KEYS,
  SETTINGS_SECTIONS,
  type RetentionSettings,
  type SettingsDocument,
} from '../../src-shared/index.js';
import { DEFAULT_MAX_IN_FLIGHT_BYTES, DEFAULT_MAX_MESSAGE_BYTES, type ListenerConfig } from '../capture/index.js';

export const APP_NAME = 'Mailwright';

export const DEFAULT_SMTP: ListenerConfig = { id: 'smtp', host: '127.0.0.1', port: 1025, tls: 'starttls' };
export const DEFAULT_HTTP = { host: '127.0.0.1', port: 8025 };

/** What runs with no saved settings, config file or flags: one loopback STARTTLS listener, no fault rules. */
export function defaultSettings(retention: RetentionSettings): SettingsDocument {
  // A capability's section brings its own default (src-shared/settings.ts lists them); these are the built-in ones.
  const fromSections = Object.fromEntries(
    SECTION_KEYS.map((key) => [key, structuredClone(SETTINGS_SECTIONS[key].defaults)]).filter(
      ([, v]) => v !== undefined,
    ),
    // Every section without a built-in default below declares its own in SETTINGS_SECTIONS.
  ) as Omit<SettingsDocument, 'retention' | 'smtp' | 'listeners' | 'faults'>;
  return {
    // Every capability section declares a default; the built-in ones below are set here.
    ...(fromSections as SettingsDocument),
    retention: { ...retention },
    smtp: {
      hostname: 'mailwright',
      maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
      maxInFlightBytes: DEFAULT_MAX_IN_FLIGHT_BYTES,
      earlyTalkerDelayMs: 0,
    },
    listeners: [structuredClone(DEFAULT_SMTP)],
    faults: [],
  };
}

/**
 * The per-user data folder, the same one Electron's `userData` resolves to,
 * so the desktop app and `serve` see the same mail.
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_NAME);
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), APP_NAME);
}

/** Parses "host:port", "[v6]:port" or ":port". Throws with the flag name so the error says where it came from. */
export function parseHostPort(value: string, flag: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) {
    throw new Error(`${flag}: expected HOST:PORT (for example 127.0.0.1:1025), got ${JSON.stringify(value)}`);
  }
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}
