// The settings page: one draft of every setting (SettingsState), and which part of it the address names.
// Address: `#/settings`, `#/settings/<section>` (`storage` included), `#/settings/listeners/<listener id>` (the id it runs under).
import type { PageState } from '../../lib/page.js';
import { SettingsState } from '../../lib/settings.svelte.js';

export const SETTINGS_SECTIONS = ['listeners', 'faults', 'general', 'checks', 'storage'] as const;
export type SettingsSection = (typeof SETTINGS_SECTIONS)[number];

function isSection(value: string | undefined): value is SettingsSection {
  return (SETTINGS_SECTIONS as readonly (string | undefined)[]).includes(value);
}

export function parseSettingsPath(
  path: readonly string[],
): { section: SettingsSection | null; listener: string | null } | null {
  const [section, listener, ...rest] = path;
  if (section === undefined) return { section: null, listener: null };
  if (!isSection(section) || rest.length > 0) return null;
  if (listener === undefined) return { section, listener: null };
  return section === 'listeners' ? { section, listener } : null;
}

export class SettingsPage implements PageState {
  readonly settings = new SettingsState();
  #section = $state<SettingsSection | null>(null);
  /** Bumped each time an address is shown, so the page scrolls its section into view even when it is the same. */
  #reveal = $state(0);
  /** The address last shown and the listener selected then (for `#/settings` and the sections without a listener). */
  #shownPath = $state.raw<readonly string[]>([]);
  #shownIndex = $state(-1);

  get section(): SettingsSection | null {
    return this.#section;
  }
  get reveal(): number {
    return this.#reveal;
  }

  get path(): readonly string[] {
    const index = this.settings.listenerIndex;
    // A section other than the listeners keeps its address until the user picks a listener.
    if (this.#section !== 'listeners' && index === this.#shownIndex) return this.#shownPath;
    const id = this.settings.wantedListener ?? this.settings.runningListenerId(index);
    return id === null ? ['listeners'] : ['listeners', id];
  }

  show(path: readonly string[]): void {
    const target = parseSettingsPath(path);
    this.#section = target?.section ?? null;
    if (target?.listener) this.settings.selectListener(target.listener);
    this.#shownIndex = this.settings.listenerIndex;
    this.#shownPath = target ? [...path] : [];
    this.#reveal++;
  }

  start(): () => void {
    return this.settings.start();
  }
}
