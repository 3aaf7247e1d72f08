// The designer preview's view of what is open (a message in the inbox, a template on the templates page): colour
// form, images, zoom, a second width beside the first, the text part beside the HTML, the accessibility findings,
// and PNG export. Lives for its page, so the chosen view stays while the user moves from message to message. What
// is previewed comes in as a PreviewSource: the one designer component serves both pages.
import type { PreviewScheme, PreviewView } from '../../../src-shared/bridge.js';
import type { AccessibilityReport, Screenshot } from '../../../src-shared/contract/diff.js';
import { errorText, savePng } from './api.js';

/** What the designer preview shows: a message or a template, each with its own frame, lint and screenshots. */
export interface PreviewSource {
  /** Changes whenever what is shown changes (another message, a template saved again): findings reload then. */
  readonly key: string;
  /** The frame's title (tests and screen readers find it by it). */
  readonly title: string;
  readonly hasHtml: boolean;
  /** The text part shown beside the HTML; null when there is none. */
  readonly text: string | null;
  /** The sandboxed frame's document in a view: a preview URL, or the document itself (`srcdoc`). */
  frame(view: PreviewView): { src: string } | { srcdoc: string } | null;
  accessibility(): Promise<Pick<AccessibilityReport, 'findings' | 'truncated' | 'note' | 'hasHtml'>>;
  screenshot(o: { width: number; scheme: PreviewScheme; images: 'on' | 'off' }): Promise<Screenshot>;
  /** The file name of an exported PNG, without `.png`. */
  exportName(width: number, scheme: PreviewScheme, images: 'on' | 'off'): string;
}

export type Findings = Pick<AccessibilityReport, 'findings' | 'truncated' | 'note' | 'hasHtml'>;

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
  #report = $state<{ key: string; report: Findings | null; error: string | null } | null>(null);
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

  get view(): PreviewView {
    return { scheme: this.#scheme, images: this.#imagesOff ? 'off' : 'on' };
  }

  /** The findings of what is shown, once loaded; null while loading or for something else. */
  report(key: string): { report: Findings | null; error: string | null } | null {
    return this.#report?.key === key ? this.#report : null;
  }

  toggleAccessibility(source: PreviewSource): void {
    this.#a11yOpen = !this.#a11yOpen;
    if (this.#a11yOpen) void this.loadAccessibility(source);
  }

  async loadAccessibility(source: PreviewSource): Promise<void> {
    const key = source.key;
    if (this.#report?.key === key && this.#report.report) return;
    const seq = ++this.#seq;
    // The previous findings stay on screen until the new ones are in (a template re-rendered on each save).
    try {
      const report = await source.accessibility();
      if (seq === this.#seq) this.#report = { key, report, error: null };
    } catch (err) {
      if (seq === this.#seq) this.#report = { key, report: null, error: errorText(err) };
    }
  }

  /** One PNG per width and scheme, each its own download (no zip library is kept), in one click. */
  async exportPngs(
    source: PreviewSource,
    widths: readonly number[],
    schemes: readonly PreviewScheme[],
  ): Promise<ExportResult> {
    const result: ExportResult = { saved: [], failed: [] };
    this.#exporting = true;
    try {
      for (const scheme of schemes) {
        for (const width of widths) {
          const images = this.#imagesOff ? 'off' : 'on';
          const name = `${source.exportName(width, scheme, images)}.png`;
          try {
            const shot = await source.screenshot({ width, scheme, images });
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

/** A file name part from a template path: `orders/shipped.mjml` → `orders-shipped`. */
export function exportStem(path: string): string {
  return (
    path
      .replace(/\.[^./]+$/, '')
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'template'
  );
}
