// How far V8 lets the old generation grow between full GCs, chosen by what the process is doing. Owns nothing else.
import v8 from 'node:v8';
import vm from 'node:vm';

/** V8's own choice (its flag default, 0): up to 300% past what survived the last full GC when GC looks cheap. */
const V8_CHOICE = 0;
/**
 * While the indexer catches up at full speed, mailparser promotes ~0.3 MB of short-lived objects per 100 KB
 * message. With V8's choice the old space went from ~22 MB live to 54-80 MB before a full GC, and the message
 * Buffers those dead objects held waited with them: the peak of `npm run bench -- --only memory`. Capping growth
 * at 25% collects that garbage while it is small. It is not left on while mail arrives: there it took ~30% off
 * 100 KB ingest (a full GC every few MB of promotion) for no gain, since ingest alone stays well under the peak.
 */
const CATCH_UP_GROWTH_PERCENT = 25;
/**
 * Past this resident size the cap applies while mail arrives too: a safety net for a machine too loaded for the
 * indexer to keep up, where the same run reached 240 MB before indexing began. A quiet 10,000 x 100 KB run stays
 * near 160 MB while mail arrives, so ingest does not pay for it there (at 160 MB it did: 100 KB p99 went 25 -> 66 ms).
 */
export const SOFT_CEILING_BYTES = 180 * 1024 * 1024;
/** The forced full GC at a switch to the cap happens at most this often, however often the indexer's state flips. */
const MIN_COLLECT_INTERVAL_MS = 2000;

let current = V8_CHOICE;
let collectGarbage: (() => void) | undefined;
let lastCollect = -Infinity;

/**
 * One full GC now. The old space's limit was set at the last full GC with V8's choice of growth; without this the
 * garbage piles up to that limit first (a 219 MB peak on a quiet machine) before the cap takes effect. `gc` is
 * exposed to a fresh context only, once, rather than to the whole process with `--expose-gc` at start.
 */
function collectNow(): void {
  const now = performance.now();
  if (now - lastCollect < MIN_COLLECT_INTERVAL_MS) return;
  lastCollect = now;
  if (!collectGarbage) {
    v8.setFlagsFromString('--expose-gc');
    collectGarbage = vm.runInNewContext('gc') as () => void;
  }
  collectGarbage();
}

/**
 * Tight growth while catching up on a backlog (no mail arriving) or above the soft ceiling, else V8's choice.
 * A GC policy V8 reads at every full GC, so it takes effect at run time; it is process-wide, and only the indexer
 * sets it, once per batch. `rss` is read only when it decides (`process.memoryUsage.rss()` is one syscall).
 */
export function chooseHeapGrowth(catchingUp: boolean, rss: () => number = () => process.memoryUsage.rss()): void {
  const wanted = catchingUp || rss() > SOFT_CEILING_BYTES ? CATCH_UP_GROWTH_PERCENT : V8_CHOICE;
  if (wanted === current) return;
  v8.setFlagsFromString(`--heap-growing-percent=${wanted}`);
  current = wanted;
  if (wanted !== V8_CHOICE) collectNow();
}

/** Back to V8's choice (the indexer has nothing left to do). */
export function releaseHeapGrowth(): void {
  chooseHeapGrowth(false, () => 0);
}

/** The growth percent in force (0 = V8's choice), for tests. */
export function heapGrowthPercent(): number {
  return current;
}
