// DMARC identifier alignment (RFC 7489 3.1). mailauth 4.x passes `{ strict }` where its helper expects a boolean and
// then falls back to organizational-domain matching anyway, so `adkim=s` / `aspf=s` act as relaxed there; the
// checks compute alignment here instead.
// Must not import electron, serve/ or another capability's folder.
import type * as Tldts from 'tldts';
import { lazyRequire } from '../../core/lazy.js';

/** tldts (its public-suffix list, ~8 MB resident) is loaded the first time a DMARC check needs it. */
const tldts = lazyRequire<typeof Tldts>('tldts');

export type AlignmentMode = 'strict' | 'relaxed';

/** The organizational domain (public-suffix + 1 label), or the name itself when it has none (`localhost`, IPs). */
export function organizationalDomain(domain: string): string {
  const d = normalize(domain);
  return tldts().getDomain(d, { allowPrivateDomains: true }) ?? d;
}

function normalize(domain: string): string {
  return domain.trim().replace(/\.$/, '').toLowerCase();
}

/** Strict: the same name. Relaxed: the same organizational domain. */
export function aligned(fromDomain: string, authDomain: string, mode: AlignmentMode): boolean {
  if (!fromDomain || !authDomain) return false;
  if (mode === 'strict') return normalize(fromDomain) === normalize(authDomain);
  return organizationalDomain(fromDomain) === organizationalDomain(authDomain);
}
