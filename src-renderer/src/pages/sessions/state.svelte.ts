// The sessions page: recorded SMTP sessions with the open transcript, and the live figures above them. Both load
// only once the page is first opened. Address: `#/sessions`, `#/sessions/<session id>`.
import { Metrics } from '../../lib/metrics.svelte.js';
import { parseId, type PageState } from '../../lib/page.js';
import { Sessions } from '../../lib/sessions.svelte.js';

export function acceptsSessionsPath(path: readonly string[]): boolean {
  return path.length === 0 || (path.length === 1 && parseId(path[0]) !== null);
}

export class SessionsPage implements PageState {
  readonly sessions = new Sessions();
  readonly metrics = new Metrics();

  get path(): string[] {
    const id = this.sessions.selectedId;
    return id === null ? [] : [String(id)];
  }

  show(path: readonly string[]): void {
    const id = parseId(path[0]);
    if (id === null) this.sessions.clearSelection();
    else if (id !== this.sessions.selectedId) void this.sessions.select(id);
  }

  start(): () => void {
    const stops = [this.sessions.start(), this.metrics.start()];
    return () => stops.forEach((stop) => stop());
  }
}
