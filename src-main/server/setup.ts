// The server capability: what the running Mailwright says about itself: status (listeners, certificate, store
// figures), live metrics (JSON and Prometheus) and the certificate each listener presents.
// Must not import electron, any binding or another capability's folder.
import { MailwrightError, type CallName } from '../../src-shared/index.js';
import type { Capability, CapabilityDeps } from '../core/capability.js';
import { PROMETHEUS_CONTENT_TYPE, toPrometheus } from '../core/prometheus.js';
import {
  contentDisposition,
  download,
  errorReply,
  fileResponses,
  restCall,
  restReply,
  verbResponses,
} from '../core/rest.js';

type ServerVerb = 'server.status' | 'metrics.get' | 'listeners.certificate';

export function setupServer(deps: CapabilityDeps): Capability<Extract<CallName, ServerVerb>> {
  const { capture } = deps;
  return {
    name: 'server',
    handlers: {
      'server.status': () => deps.status(),
      'metrics.get': () => deps.metrics.figures(),
      'listeners.certificate': (a) => {
        const pem = capture.certificatePem(a.id);
        const info = capture.certificate(a.id);
        if (!pem || !info)
          throw new MailwrightError('not_found', `no running listener "${a.id}" presents a certificate`, 'id');
        return { pem, info, filename: `mailwright-${a.id}.pem` };
      },
    },
    routes: [
      {
        method: 'GET',
        path: '/api/status',
        operation: {
          operationId: 'getStatus',
          summary: 'Listeners, certificate and store figures',
          tags: ['server'],
          responses: verbResponses('server.status'),
        },
        handler: (c) => restCall(c, 'server.status', {}),
      },
      {
        method: 'GET',
        path: '/api/metrics',
        operation: {
          operationId: 'getMetrics',
          summary: 'Live figures since start, with the last 15 minutes per minute',
          tags: ['server'],
          responses: verbResponses('metrics.get'),
        },
        handler: (c) => restCall(c, 'metrics.get', {}),
      },
      {
        method: 'GET',
        path: '/metrics',
        operation: {
          operationId: 'getPrometheusMetrics',
          summary: 'The live figures in Prometheus text format 0.0.4',
          tags: ['server'],
          responses: fileResponses('text/plain; version=0.0.4', 'Prometheus exposition'),
        },
        // Prometheus scrapes text, not JSON; the figures are the same as GET /api/metrics.
        handler: async (c) => {
          const result = await c.core.invoke('metrics.get', {});
          if (!result.ok) return errorReply(result.error);
          return {
            status: 200,
            headers: { 'Content-Type': PROMETHEUS_CONTENT_TYPE, 'Cache-Control': 'no-store' },
            body: toPrometheus(result.value),
          };
        },
      },
      {
        method: 'GET',
        path: '/api/listeners/{listenerId}/certificate.pem',
        operation: {
          operationId: 'getListenerCertificate',
          summary: 'The certificate a listener presents, as PEM, for clients to trust (never the key)',
          tags: ['server'],
          parameters: [{ name: 'listenerId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: fileResponses('application/x-pem-file', 'PEM certificate'),
        },
        // For `curl -o mailwright.pem …`.
        handler: async (c) => {
          const result = await c.core.invoke('listeners.certificate', { id: c.params.listenerId ?? '' });
          if (!result.ok) return restReply(result);
          return download(
            'application/x-pem-file',
            contentDisposition(result.value.filename),
            Buffer.from(result.value.pem),
          );
        },
      },
    ],
  };
}
