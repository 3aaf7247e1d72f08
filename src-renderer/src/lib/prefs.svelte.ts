// UI preferences persisted in localStorage. Stored values pass a type guard; anything corrupt falls back to the default.

export const TABS = ['html', 'text', 'headers', 'source', 'mime', 'attachments', 'checks'] as const;
export type Tab = (typeof TABS)[number];

/** Named widths saved by earlier versions; still read, shown as the preset of the same width. */
export const DEVICE_WIDTHS = { phone: 375, tablet: 768, desktop: 1024 } as const;
/** The preview's width presets: phones, the classic email column, a tablet, desktops. */
export const PREVIEW_PRESETS = [
  { width: 320, label: 'Phone 320' },
  { width: 375, label: 'Phone 375' },
  { width: 414, label: 'Phone 414' },
  { width: 600, label: 'Email 600' },
  { width: 768, label: 'Tablet 768' },
  { width: 1024, label: 'Desktop 1024' },
  { width: 1280, label: 'Desktop 1280' },
] as const;
export type PreviewWidth = keyof typeof DEVICE_WIDTHS | 'full' | number;
/** Custom widths outside this range are typos, not devices. */
export const MIN_CUSTOM_WIDTH = 200;
export const MAX_CUSTOM_WIDTH = 4000;

export interface UiPrefs {
  tab: Tab;
  previewWidth: PreviewWidth;
}

const KEY = 'mailwright.ui.v1';
const DEFAULTS: UiPrefs = { tab: 'html', previewWidth: 'full' };

/** A saved width in pixels, or null for the full pane. */
export function widthPixels(width: PreviewWidth): number | null {
  if (width === 'full') return null;
  return typeof width === 'number' ? width : DEVICE_WIDTHS[width];
}

export function isTab(value: unknown): value is Tab {
  return typeof value === 'string' && (TABS as readonly string[]).includes(value);
}

export function isPreviewWidth(value: unknown): value is PreviewWidth {
  if (typeof value === 'number')
    return Number.isInteger(value) && value >= MIN_CUSTOM_WIDTH && value <= MAX_CUSTOM_WIDTH;
  return value === 'full' || (typeof value === 'string' && Object.prototype.hasOwnProperty.call(DEVICE_WIDTHS, value));
}

export function parsePrefs(raw: string | null): UiPrefs {
  if (!raw) return { ...DEFAULTS };
  try {
    const v = JSON.parse(raw) as Record<string, unknown> | null;
    if (typeof v !== 'object' || v === null) return { ...DEFAULTS };
    return {
      tab: isTab(v.tab) ? v.tab : DEFAULTS.tab,
      previewWidth: isPreviewWidth(v.previewWidth) ? v.previewWidth : DEFAULTS.previewWidth,
    };
  } catch {
    return { ...DEFAULTS };
  }
}

export class Prefs {
  #value = $state<UiPrefs>(load());

  get tab(): Tab {
    return this.#value.tab;
  }
  get previewWidth(): PreviewWidth {
    return this.#value.previewWidth;
  }

  set tab(tab: Tab) {
    this.#save({ ...this.#value, tab });
  }
  set previewWidth(width: PreviewWidth) {
    if (isPreviewWidth(width)) this.#save({ ...this.#value, previewWidth: width });
  }

  #save(next: UiPrefs): void {
    this.#value = next;
    try {
      localStorage.setItem(KEY, JSON.stringify(next));
    } catch {
      // Storage full or disabled: the preference still holds for this session.
    }
  }
}

function load(): UiPrefs {
  try {
    return parsePrefs(localStorage.getItem(KEY));
  } catch {
    return { ...DEFAULTS };
  }
}
