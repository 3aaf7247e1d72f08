// The inbox page: the message list (app-wide Inbox, whose counts the status bar shows too), the open message
// (Viewer) and the inspection tab. Address: `#/inbox`, `#/inbox/<message id>/<tab>` with the message view's tab ids.
import { Designer } from '../../lib/designer.svelte.js';
import type { Inbox } from '../../lib/inbox.svelte.js';
import { parseId, type PageContext, type PageState } from '../../lib/page.js';
import { isTab, type Prefs, type Tab } from '../../lib/prefs.svelte.js';
import { MessageTags } from '../../lib/tags.svelte.js';
import { Viewer } from '../../lib/viewer.svelte.js';

/** `[]`, `[id]` (the last tab used) or `[id, tab]`. */
export function parseInboxPath(path: readonly string[]): { id: number | null; tab: Tab | null } | null {
  if (path.length === 0) return { id: null, tab: null };
  const id = parseId(path[0]);
  if (id === null || path.length > 2) return null;
  if (path.length === 1) return { id, tab: null };
  return isTab(path[1]) ? { id, tab: path[1] } : null;
}

export class InboxPage implements PageState {
  readonly inbox: Inbox;
  readonly prefs: Prefs;
  readonly viewer: Viewer;
  readonly tags = new MessageTags();
  /** The designer preview's view, kept while the user moves between messages. */
  readonly designer = new Designer();

  constructor(ctx: Pick<PageContext, 'inbox' | 'prefs'>) {
    this.inbox = ctx.inbox;
    this.prefs = ctx.prefs;
    this.viewer = new Viewer((id) => this.inbox.markedRead(id));
  }

  get path(): string[] {
    const id = this.inbox.selectedId;
    return id === null ? [] : [String(id), this.prefs.tab];
  }

  show(path: readonly string[]): void {
    const target = parseInboxPath(path);
    if (!target || target.id === null) {
      this.inbox.clearSelection();
      return;
    }
    if (target.tab) this.prefs.tab = target.tab;
    if (target.id !== this.inbox.selectedId) this.inbox.select(target.id, -1);
  }

  start(): () => void {
    const stopViewer = this.viewer.start();
    const stopTags = this.tags.start();
    return () => {
      stopViewer();
      stopTags();
    };
  }
}
