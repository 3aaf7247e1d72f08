// The Prometheus exposition of the live figures: every family has HELP and TYPE, labels are escaped,
// and the output reads back with a strict parser.
import { describe, expect, it } from 'vitest';
import { toPrometheus } from '../../../src-main/core/prometheus.js';
import type { LiveFigures } from '../../../src-shared/index.js';
import { parsePrometheus } from '../../helpers/prometheus-parse.js';

const figures: LiveFigures = {
  startedAt: '2026-01-01T00:00:00.000Z',
  sessions: 7,
  messagesAccepted: 5,
  rejectedByCode: { '552': 2, '550': 1 },
  authFailures: 3,
  bytesReceived: 12345,
  activeConnections: 1,
  faultRuleHits: { 'full-box': 2, 'we"ird\\id\nx': 1 },
  perMinute: [],
};

describe('toPrometheus', () => {
  it('writes every family with HELP and TYPE, and samples a strict parser reads back', () => {
    const text = toPrometheus(figures);
    const samples = parsePrometheus(text);
    expect(samples.get('mailwright_smtp_sessions_total')).toBe(7);
    expect(samples.get('mailwright_messages_accepted_total')).toBe(5);
    expect(samples.get('mailwright_messages_rejected_total{code="552"}')).toBe(2);
    expect(samples.get('mailwright_messages_rejected_total{code="550"}')).toBe(1);
    expect(samples.get('mailwright_auth_failures_total')).toBe(3);
    expect(samples.get('mailwright_bytes_received_total')).toBe(12345);
    expect(samples.get('mailwright_active_connections')).toBe(1);
    expect(samples.get('mailwright_fault_rule_hits_total{rule="full-box"}')).toBe(2);
    expect(samples.get('mailwright_fault_rule_hits_total{rule="we\\"ird\\\\id\\nx"}')).toBe(1);
    expect(text).toContain('# TYPE mailwright_active_connections gauge');
    expect(text).toContain('# TYPE mailwright_messages_rejected_total counter');
  });

  it('still declares the labelled families when nothing was rejected or hit', () => {
    const text = toPrometheus({ ...figures, rejectedByCode: {}, faultRuleHits: {} });
    expect(text).toContain('# HELP mailwright_fault_rule_hits_total');
    expect(parsePrometheus(text).has('mailwright_messages_rejected_total{code="552"}')).toBe(false);
  });
});
