// The live figures in the Prometheus text exposition format 0.0.4, for GET /metrics in serve mode.
// Pure formatting: no I/O. Must not import electron or bindings.
import type { LiveFigures } from '../../src-shared/index.js';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: { labels?: Record<string, string>; value: number }[];
}

export function toPrometheus(f: LiveFigures): string {
  const families: Family[] = [
    {
      name: 'mailwright_smtp_sessions_total',
      help: 'SMTP sessions accepted since start.',
      type: 'counter',
      samples: [{ value: f.sessions }],
    },
    {
      name: 'mailwright_messages_accepted_total',
      help: 'Messages stored since start.',
      type: 'counter',
      samples: [{ value: f.messagesAccepted }],
    },
    {
      name: 'mailwright_messages_rejected_total',
      help: 'Refusals (4xx/5xx replies other than AUTH failures) since start, by reply code.',
      type: 'counter',
      samples: Object.entries(f.rejectedByCode).map(([code, value]) => ({ labels: { code }, value })),
    },
    {
      name: 'mailwright_auth_failures_total',
      help: 'Failed AUTH attempts since start.',
      type: 'counter',
      samples: [{ value: f.authFailures }],
    },
    {
      name: 'mailwright_bytes_received_total',
      help: 'Bytes of stored messages since start.',
      type: 'counter',
      samples: [{ value: f.bytesReceived }],
    },
    {
      name: 'mailwright_active_connections',
      help: 'SMTP connections open now.',
      type: 'gauge',
      samples: [{ value: f.activeConnections }],
    },
    {
      name: 'mailwright_fault_rule_hits_total',
      help: 'Times each fault rule fired since start (or since its rule was last edited).',
      type: 'counter',
      samples: Object.entries(f.faultRuleHits).map(([rule, value]) => ({ labels: { rule }, value })),
    },
  ];
  const out: string[] = [];
  for (const fam of families) {
    out.push(`# HELP ${fam.name} ${fam.help}`, `# TYPE ${fam.name} ${fam.type}`);
    for (const s of fam.samples)
      out.push(`${fam.name}${labelText(s.labels)} ${Number.isFinite(s.value) ? s.value : 0}`);
  }
  return `${out.join('\n')}\n`;
}

function labelText(labels: Record<string, string> | undefined): string {
  if (!labels) return '';
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return `{${parts.join(',')}}`;
}

/** The format's label escapes: backslash, double quote and line feed (rule ids are user-typed). */
function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
