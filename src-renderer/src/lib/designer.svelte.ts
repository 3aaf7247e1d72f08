// The designer preview's view of the open message: colour form, images, zoom, a second width beside the first,
// the text part beside the HTML, the accessibility findings, and PNG export. Lives for the inbox page, so the
// chosen view stays while the user moves from message to message.
import type { PreviewScheme } from '../../../src-shared/bridge.js';
import type { AccessibilityReport } from '../../../src-shared/contract/diff.js';
import { api, errorText, savePng } from './api.js';

/** The zoom steps offered: small enough to fit 1280 px beside a list, large enough to read 320 px text. */
export const ZOOM_STEPS = [0.5, 0.75, 1, 1.25, 1.5] as const;
export type Zoom = (typeof ZOOM_STEPS)[number];

/** What each colour form is, in the words the UI shows: neither pretends to be a client. */
export const SCHEME_LABELS: Record<PreviewScheme, { label: string; title: string }> = {
  light: { label: 'Light', title: 'The template as written, light scheme' },
  dark: {
    label: 'Dark: template CSS',
    title:
      "prefers-color-scheme: dark emulated: the template's own dark CSS applies, as in clients that honour it (Apple Mail, iOS)",
  },
  inverted: {
    label: 'Dark: forced inversion',
    title:
      'Every colour inverted except images: an approximation of clients that force dark mode (Gmail apps, Outlook)',
  },
};

export interface ExportResult {
  saved: string[];
  failed: { name: string; error: string }[];
}

export class Designer {
  #scheme = $state<PreviewScheme>('light');
  #imagesOff = $state(false);
  #zoom = $state<Zoom>(1);
  #secondWidth = $state<number | null>(null);
  #textBeside = $state(false);
  #a11yOpen = $state(false);
  #report = $state<{ id: number; report: AccessibilityReport | null; error: string | null } | null>(null);
  #exporting = $state(false);
  #seq = 0;

  get scheme(): PreviewScheme {
    return this.#scheme;
  }
  set scheme(s: PreviewScheme) {
    this.#scheme = s;
  }
  get imagesOff(): boolean {
    return this.#imagesOff;
  }
  set imagesOff(v: boolean) {
    this.#imagesOff = v;
  }
  get zoom(): Zoom {
    return this.#zoom;
  }
  set zoom(z: Zoom) {
    if ((ZOOM_STEPS as readonly number[]).includes(z)) this.#zoom = z;
  }
  /** The width shown beside the main one, or null for one frame. */
  get secondWidth(): number | null {
    return this.#secondWidth;
  }
  set secondWidth(w: number | null) {
    this.#secondWidth = w;
  }
  get textBeside(): boolean {
    return this.#textBeside;
  }
  set textBeside(v: boolean) {
    this.#textBeside = v;
  }
  get a11yOpen(): boolean {
    return this.#a11yOpen;
  }
  get exporting(): boolean {
    return this.#exporting;
  }

  /** The findings of this message, once loaded; null while loading or for another message. */
  report(id: number): { report: AccessibilityReport | null; error: string | null } | null {
    return this.#report?.id === id ? this.#report : null;
  }

  toggleAccessibility(id: number): void {
    this.#a11yOpen = !this.#a11yOpen;
    if (this.#a11yOpen) void this.loadAccessibility(id);
  }

  async loadAccessibility(id: number): Promise<void> {
    if (this.#report?.id === id && this.#report.report) return;
    const seq = ++this.#seq;
    this.#report = null;
    try {
      const report = await api.diff.accessibility(id);
      if (seq === this.#seq) this.#report = { id, report, error: null };
    } catch (err) {
      if (seq === this.#seq) this.#report = { id, report: null, error: errorText(err) };
    }
  }

  /** One PNG per width and scheme, each its own download (no zip library is kept), in one click. */
  async exportPngs(id: number, widths: readonly number[], schemes: readonly PreviewScheme[]): Promise<ExportResult> {
    const result: ExportResult = { saved: [], failed: [] };
    this.#exporting = true;
    try {
      for (const scheme of schemes) {
        for (const width of widths) {
          const images = this.#imagesOff ? 'off' : 'on';
          const name = `message-${id}-${width}px-${scheme}${images === 'off' ? '-no-images' : ''}.png`;
          try {
            const shot = await api.diff.screenshot({ id, width, scheme, images });
            savePng(shot.png, name);
            result.saved.push(name);
          } catch (err) {
            result.failed.push({ name, error: errorText(err) });
          }
        }
      }
    } finally {
      this.#exporting = false;
    }
    return result;
  }
}
