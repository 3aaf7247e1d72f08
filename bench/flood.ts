// Flood run: S concurrent slow DATA streams of M MB each into one Mailwright server with its default settings
// (the in-flight budget, 50 MB SIZE), sent by flood-client.ts on the client core. Meanwhile this process
// samples the server's RSS and probes its HTTP API; it reports the peak RSS, how many streams got 250 and how
// many 452, and whether HTTP answered throughout.
import { helperArgs } from './build.js';
import { FLOOD_DONE_PREFIX, floodDeadlineMs } from './flood-client.js';
import { messageCount } from './mailwright-api.js';
import { CLIENT_CORE, ROOT, sleep, spawnPinned, waitExit } from './proc.js';
import { startServer } from './servers.js';

const HTTP_PROBE_MS = 250;
const RSS_SAMPLE_MS = 100;

export interface FloodResult {
  streams: number;
  messageMB: number;
  accepted: number;
  refused: number;
  /** Any other ending (another code, a reset): each one is a failure of the run. */
  other: string[];
  storedAfter: number | null;
  peakRssMB: number | null;
  hwmMB: number | null;
  rssAfterMB: number | null;
  startRssMB: number | null;
  /** GET /api/status every HTTP_PROBE_MS while the flood ran. */
  httpProbes: number;
  httpFailures: number;
  httpMaxMs: number;
  seconds: number;
}

export async function runFlood(streams: number, messageMB: number, log: (line: string) => void): Promise<FloodResult> {
  const server = await startServer('mailwright');
  const t0 = performance.now();
  try {
    if (!server.http) throw new Error('Mailwright gave no HTTP address');
    const base = server.http;
    const startRssMB = server.mem()?.rssMB ?? null;
    let peakRssMB = startRssMB ?? 0;
    const sampler = setInterval(() => {
      const m = server.mem();
      if (m) peakRssMB = Math.max(peakRssMB, m.rssMB);
    }, RSS_SAMPLE_MS);
    let running = true;
    let httpProbes = 0;
    let httpFailures = 0;
    let httpMaxMs = 0;
    const prober = (async () => {
      while (running) {
        const t = performance.now();
        httpProbes++;
        try {
          await messageCount(base);
        } catch {
          httpFailures++;
        }
        httpMaxMs = Math.max(httpMaxMs, performance.now() - t);
        await sleep(HTTP_PROBE_MS);
      }
    })();
    const client = spawnPinned(
      CLIENT_CORE,
      process.execPath,
      [...helperArgs('flood-client'), JSON.stringify({ port: server.port, streams, messageMB })],
      { cwd: ROOT },
    );
    let replies: string[];
    try {
      await waitExit(client, floodDeadlineMs(messageMB) + 30_000, 'flood client');
      const line = client
        .stdout()
        .split('\n')
        .find((l) => l.startsWith(FLOOD_DONE_PREFIX));
      if (!line) throw new Error(`flood client gave no result: ${client.stderr().slice(-500)}`);
      replies = JSON.parse(line.slice(FLOOD_DONE_PREFIX.length)) as string[];
    } finally {
      running = false;
    }
    await prober;
    clearInterval(sampler);
    const accepted = replies.filter((r) => r.startsWith('250')).length;
    const refused = replies.filter((r) => /^452 4\.3\.1 /.test(r)).length;
    const other = replies.filter((r) => !r.startsWith('250') && !/^452 4\.3\.1 /.test(r));
    const after = server.mem();
    let storedAfter: number | null = null;
    try {
      storedAfter = await messageCount(base);
    } catch (err) {
      log(`  status after the flood failed: ${(err as Error).message}`);
    }
    return {
      streams,
      messageMB,
      accepted,
      refused,
      other,
      storedAfter,
      peakRssMB: Math.max(peakRssMB, after?.rssMB ?? 0),
      hwmMB: after?.hwmMB ?? null,
      rssAfterMB: after?.rssMB ?? null,
      startRssMB,
      httpProbes,
      httpFailures,
      httpMaxMs,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    await server.stop();
  }
}
