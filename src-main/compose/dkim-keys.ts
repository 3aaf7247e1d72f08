// DKIM key pairs: RSA-2048 or Ed25519, with the TXT record to publish at <selector>._domainkey.<domain>.
import { generateKeyPairSync } from 'node:crypto';

/** RFC 8463: an Ed25519 DKIM key is the raw 32-byte public key; its SPKI DER form has this 12-byte prefix. */
const ED25519_SPKI_PREFIX_BYTES = 12;
/** DNS TXT strings hold at most 255 bytes each (RFC 1035); a 2048-bit key's record is split into several. */
const TXT_STRING_BYTES = 255;

export interface DkimKeyPair {
  algorithm: 'rsa-2048' | 'ed25519';
  privateKey: string;
  publicKey: string;
  dnsName: string;
  dnsRecord: string;
}

export function generateDkimKey(algorithm: 'rsa-2048' | 'ed25519', domain: string, selector: string): DkimKeyPair {
  const pair =
    algorithm === 'rsa-2048' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
  const der = pair.publicKey.export({ type: 'spki', format: 'der' });
  const p = (algorithm === 'ed25519' ? der.subarray(ED25519_SPKI_PREFIX_BYTES) : der).toString('base64');
  const value = `v=DKIM1; k=${algorithm === 'ed25519' ? 'ed25519' : 'rsa'}; p=${p}`;
  const strings: string[] = [];
  for (let i = 0; i < value.length; i += TXT_STRING_BYTES) strings.push(`"${value.slice(i, i + TXT_STRING_BYTES)}"`);
  return {
    algorithm,
    privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    dnsName: `${selector}._domainkey.${domain}`,
    dnsRecord: strings.join(' '),
  };
}
