// What a page is to the app shell. Each capability is a folder under pages/ (Page.svelte, state.svelte.ts, and
// Actions.svelte when it has toolbar actions) plus one line in pages.ts; the shell knows pages only through these types.
import type { Component } from 'svelte';
import type { Inbox } from './inbox.svelte.js';
import type { Notices } from './notices.svelte.js';
import type { Prefs } from './prefs.svelte.js';
import type { Address } from './router.svelte.js';
import type { Shortcuts } from './shortcuts.svelte.js';
import type { StatusState } from './status.svelte.js';

/** What every page may use: the app-wide state and a way to send the user to another address. */
export interface PageContext {
  readonly inbox: Inbox;
  readonly status: StatusState;
  readonly notices: Notices;
  readonly prefs: Prefs;
  readonly shortcuts: Shortcuts;
  navigate(address: Address): void;
}

/** A page's state. It lives from the first visit to the page until the app closes, so a draft survives a look away. */
export interface PageState {
  /** The address path of what the page shows now (after the page id); a change becomes a history entry. */
  readonly path: readonly string[];
  /** Shows what an address path names (already checked by the page's `accepts`). */
  show(path: readonly string[]): void;
  /** Subscribes to pushes and loads; returns the function that stops. */
  start(): () => void;
}

export interface PageProps<S extends PageState> {
  page: S;
  ctx: PageContext;
}

export interface PageDefinition<S extends PageState = PageState> {
  /** The first address segment: `#/<id>/…`. */
  readonly id: string;
  readonly label: string;
  /** A short glyph shown before the label in the navigation; decorative (hidden from screen readers). */
  readonly icon: string;
  readonly component: Component<PageProps<S>>;
  /** The page's own toolbar actions, shown beside the navigation while the page is. */
  readonly actions?: Component<PageProps<S>>;
  readonly state: (ctx: PageContext) => S;
  /** Whether an address path names something this page can show; anything else falls back to the inbox. */
  readonly accepts: (path: readonly string[]) => boolean;
}

/** Keeps each page's own state type inside its definition while the registry holds them side by side. */
export function definePage<S extends PageState>(page: PageDefinition<S>): PageDefinition {
  return page as unknown as PageDefinition;
}

/** Message and session ids in addresses: positive integers that survive a round trip through Number. */
export function parseId(segment: string | undefined): number | null {
  if (segment === undefined || !/^[1-9]\d{0,14}$/.test(segment)) return null;
  return Number(segment);
}
