// LiveMetrics: counters since start, the active-connections gauge, per-minute buckets that age out after
// 15 minutes, and the fault engine's hits passed through.
import { describe, expect, it } from 'vitest';
import { LiveMetrics, METRICS_MINUTES } from '../../../src-main/core/metrics.js';
import type { SessionRecord } from '../../../src-main/capture/index.js';

const record = {} as SessionRecord;

describe('LiveMetrics', () => {
  it('counts sessions, accepted bytes, rejections by code and AUTH failures; the gauge follows open sessions', () => {
    let t = Date.UTC(2026, 0, 1, 12, 0, 30);
    const m = new LiveMetrics(
      () => ({ rule: 4 }),
      () => t,
    );
    m.opened();
    m.opened();
    m.accepted(100);
    m.rejected(552);
    m.rejected(552);
    m.rejected(550);
    m.authFailed();
    m.ended(record);
    const f = m.figures();
    expect(f).toMatchObject({
      sessions: 2,
      messagesAccepted: 1,
      bytesReceived: 100,
      authFailures: 1,
      activeConnections: 1,
      rejectedByCode: { '552': 2, '550': 1 },
      faultRuleHits: { rule: 4 },
    });
    expect(f.perMinute).toHaveLength(METRICS_MINUTES);
    expect(f.perMinute.at(-1)).toMatchObject({
      minute: '2026-01-01T12:00:00.000Z',
      sessions: 2,
      accepted: 1,
      rejected: 3,
      authFailures: 1,
      bytes: 100,
    });

    t += 60_000;
    m.opened();
    const g = m.figures();
    expect(g.perMinute.at(-1)).toMatchObject({ minute: '2026-01-01T12:01:00.000Z', sessions: 1 });
    expect(g.perMinute.at(-2)).toMatchObject({ sessions: 2 });

    t += METRICS_MINUTES * 60_000;
    const h = m.figures();
    expect(h.perMinute.every((b) => b.sessions === 0)).toBe(true);
    expect(h.sessions).toBe(3);
  });

  it('never lets the gauge go below zero', () => {
    const m = new LiveMetrics();
    m.ended(record);
    expect(m.figures().activeConnections).toBe(0);
    expect(m.figures().faultRuleHits).toEqual({});
  });
});
