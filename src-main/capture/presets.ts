// One-click listener presets matching the well-known submission ports (25, 587, 465), moved to 2525/2587/2465
// when this user cannot bind below 1024. Data only; must not import smtp-server, the store or electron.
import fs from 'node:fs';
import type { ListenerPreset } from '../../src-shared/index.js';

export type { ListenerPreset };

/** Where Linux lets unprivileged users bind low ports (sysctl net.ipv4.ip_unprivileged_port_start). */
const UNPRIVILEGED_PORT_START = '/proc/sys/net/ipv4/ip_unprivileged_port_start';

/**
 * Whether port 25 can be bound without asking: root on Unix; on Linux also when the sysctl lowered the
 * privileged range; macOS 10.14+ and Windows have no privileged ports.
 */
export function canBindLowPorts(): boolean {
  if (process.platform === 'win32' || process.platform === 'darwin') return true;
  if (process.getuid?.() === 0) return true;
  if (process.platform === 'linux') {
    try {
      return Number(fs.readFileSync(UNPRIVILEGED_PORT_START, 'utf8').trim()) <= 25;
    } catch {
      return false;
    }
  }
  return false;
}

export function listenerPresets(lowPorts: boolean): ListenerPreset[] {
  const port = (low: number, high: number) => (lowPorts ? low : high);
  const note = (low: number, high: number) =>
    lowPorts
      ? null
      : `Port ${low} needs administrator rights on this machine, so this preset uses ${high}. Point your app at ${high}.`;
  const auth = {
    policy: 'required',
    mechanisms: ['PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2'],
    allowPlaintext: false,
  } as const;
  return [
    {
      name: '25: plain relay',
      note: note(25, 2525),
      listener: {
        id: 'relay',
        host: '127.0.0.1',
        port: port(25, 2525),
        tls: 'starttls',
        auth: { policy: 'off', mechanisms: [] },
      },
    },
    {
      name: '587: submission, STARTTLS + AUTH required',
      note: note(587, 2587),
      listener: {
        id: 'submission',
        host: '127.0.0.1',
        port: port(587, 2587),
        tls: 'starttls-required',
        auth: { ...auth, mechanisms: [...auth.mechanisms] },
      },
    },
    {
      name: '465: implicit TLS + AUTH',
      note: note(465, 2465),
      listener: {
        id: 'submissions',
        host: '127.0.0.1',
        port: port(465, 2465),
        tls: 'implicit',
        auth: { ...auth, mechanisms: [...auth.mechanisms] },
      },
    },
  ];
}
