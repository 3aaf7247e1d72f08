// What a TLS handshake showed: protocol, cipher, the certificate chain as presented, whether it verifies and
// whether it names the host. Read with verification off, so a report exists even for a certificate that fails;
// the caller refuses to go on (before AUTH or MAIL) when the profile asks for verification.
import { X509Certificate } from 'node:crypto';
import { checkServerIdentity, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import type { TlsReport } from '../../src-shared/index.js';

/** Real chains are 2-4 certificates; a longer one is a loop or a hostile server. */
const MAX_CHAIN = 10;

export function tlsReport(socket: TLSSocket, expectedName: string): TlsReport {
  const cipher = socket.getCipher() as { standardName?: string; name?: string } | null;
  const chain: TlsReport['chain'] = [];
  const leaf = socket.getPeerCertificate(true) as DetailedPeerCertificate | undefined;
  let current: DetailedPeerCertificate | undefined = leaf && leaf.raw ? leaf : undefined;
  const seen = new Set<string>();
  while (current?.raw && chain.length < MAX_CHAIN) {
    const x509 = new X509Certificate(current.raw);
    if (seen.has(x509.fingerprint256)) break;
    seen.add(x509.fingerprint256);
    chain.push({
      subject: oneLine(x509.subject),
      issuer: oneLine(x509.issuer),
      validFrom: new Date(x509.validFrom).toISOString(),
      validTo: new Date(x509.validTo).toISOString(),
      sha256: x509.fingerprint256,
      subjectAltName: x509.subjectAltName ?? null,
      selfSigned: x509.checkIssued(x509),
    });
    current = current.issuerCertificate === current ? undefined : current.issuerCertificate;
  }
  const identity = leaf?.raw ? checkServerIdentity(expectedName, leaf) : new Error('the server sent no certificate');
  const authError = socket.authorizationError ? String(socket.authorizationError) : null;
  // Node folds a host mismatch into authorizationError; it is reported apart (hostMatch), so the chain's own verdict stays.
  const chainError = authError === 'ERR_TLS_CERT_ALTNAME_INVALID' ? null : authError;
  return {
    protocol: socket.getProtocol() ?? null,
    cipher: cipher ? (cipher.standardName ?? cipher.name ?? null) : null,
    authorized: chainError === null && leaf?.raw !== undefined,
    verifyError: chainError,
    hostMatch: identity === undefined,
    hostMatchError: identity ? identity.message : null,
    chain,
  };
}

/** Why a report fails verification, in plain words; null when it passes. */
export function verificationProblem(report: TlsReport): string | null {
  if (report.verifyError) return explainVerifyError(report.verifyError, report);
  if (!report.hostMatch) return `the certificate does not name this host: ${report.hostMatchError ?? 'no match'}`;
  return null;
}

function explainVerifyError(code: string, report: TlsReport): string {
  const leaf = report.chain[0];
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return 'the certificate is self-signed, so no trusted authority vouches for it. Add it (or its CA) as the profile’s custom CA, or turn verification off for a test server.';
    case 'CERT_HAS_EXPIRED':
      return `the certificate expired on ${leaf?.validTo ?? 'an earlier date'}. The server must renew it; turning verification off only hides the problem.`;
    case 'CERT_NOT_YET_VALID':
      return `the certificate is not valid before ${leaf?.validFrom ?? 'a later date'}: check the clocks of both machines.`;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
      return 'the certificate’s issuer is not trusted here, or the server does not send the intermediate certificates. Add the CA as the profile’s custom CA.';
    default:
      return `the certificate does not verify (${code}).`;
  }
}

/** X509Certificate gives one attribute per line; one line reads better in a report. */
function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}
