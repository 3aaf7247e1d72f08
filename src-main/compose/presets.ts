// Profile presets: nodemailer's list of well-known services (read from the package, not retyped), and one
// "this Mailwright" preset per running capture listener, filled with its port, TLS mode, certificate and AUTH.
import { createRequire } from 'node:module';
import type { ListenerStatus, ProfilePreset, SecurityMode } from '../../src-shared/index.js';

interface WellKnownService {
  description?: string;
  host?: string;
  port?: number;
  secure?: boolean;
  requireTLS?: boolean;
  authMethod?: string;
  domains?: string[];
}

// Read from the installed package at run time, so the list is nodemailer's own and never a copy.
const loadPackageFile = createRequire(import.meta.url);

let services: ProfilePreset[] | null = null;

export function servicePresets(): ProfilePreset[] {
  services ??= Object.entries(
    loadPackageFile('nodemailer/lib/well-known/services.json') as Record<string, WellKnownService>,
  )
    .filter(([, s]) => typeof s.host === 'string' && typeof s.port === 'number')
    .map(([key, s]) => {
      const security: SecurityMode = s.secure ? 'implicit' : s.requireTLS ? 'starttls-required' : 'starttls';
      const mechanism = s.authMethod === 'LOGIN' || s.authMethod === 'PLAIN' ? s.authMethod : 'PLAIN';
      return {
        id: `service:${key}`,
        name: s.description ?? key,
        source: 'service' as const,
        profile: { name: s.description ?? key, host: s.host!, port: s.port!, security, auth: { mechanism } },
        note: s.domains?.length ? `for ${s.domains.join(', ')}` : null,
      };
    });
  return services;
}

/** Loopback for a listener bound to every interface, so the preset works on this machine. */
function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '::1';
  return host;
}

export function capturePresets(
  listeners: ListenerStatus[],
  certificatePem: (id: string) => string | null,
): ProfilePreset[] {
  return listeners
    .filter((l) => l.state === 'listening')
    .map((l) => {
      const pem = l.tls === 'none' ? null : certificatePem(l.id);
      // Optional AUTH is left out of the preset: the listener takes mail without it.
      const needsAuth = l.auth.policy === 'required';
      const mechanism = needsAuth ? (l.auth.mechanisms[0] ?? 'PLAIN') : 'none';
      const notes: string[] = [];
      if (pem) notes.push("its certificate is Mailwright's own, trusted here as the custom CA");
      if (needsAuth) notes.push('this listener requires AUTH');
      if (l.auth.policy !== 'off')
        notes.push(
          l.auth.anyCredentials ? 'any user name and password are accepted' : 'use one of its configured credentials',
        );
      return {
        id: `capture:${l.id}`,
        name: `This Mailwright (${l.id}, port ${l.port})`,
        source: 'capture' as const,
        profile: {
          name: `Mailwright ${l.id}`,
          host: reachableHost(l.host),
          port: l.port,
          security: l.tls,
          tls: { verify: true, ...(pem ? { ca: pem, servername: 'localhost' } : {}) },
          auth: { mechanism: mechanism as 'none' },
        },
        note: notes.length ? notes.join('; ') : null,
      };
    });
}
