// CSS colours as email templates write them inline (#rgb, #rrggbb, rgb()/rgba(), common names) and the WCAG 2
// contrast ratio of two. A colour this does not read (var(), hsl(), a rare name) is unknown, never a guess.

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

// The names seen in email templates; `transparent` and `inherit` are deliberately absent (no colour to judge).
const NAMED: Record<string, string> = {
  black: '000000',
  white: 'ffffff',
  red: 'ff0000',
  green: '008000',
  blue: '0000ff',
  yellow: 'ffff00',
  orange: 'ffa500',
  purple: '800080',
  gray: '808080',
  grey: '808080',
  silver: 'c0c0c0',
  lightgray: 'd3d3d3',
  lightgrey: 'd3d3d3',
  darkgray: 'a9a9a9',
  darkgrey: 'a9a9a9',
  dimgray: '696969',
  whitesmoke: 'f5f5f5',
  gainsboro: 'dcdcdc',
  maroon: '800000',
  navy: '000080',
  teal: '008080',
  olive: '808000',
  lime: '00ff00',
  aqua: '00ffff',
  fuchsia: 'ff00ff',
};

export function parseCssColor(value: string): Rgb | null {
  const v = value.trim().toLowerCase();
  if (!v) return null;
  const hex = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/.exec(NAMED[v] ?? v);
  if (hex && (v.startsWith('#') || v in NAMED || /^[0-9a-f]{6}$/.test(v))) {
    const h = hex[1] ?? '';
    const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
    return {
      r: parseInt(full.slice(0, 2), 16),
      g: parseInt(full.slice(2, 4), 16),
      b: parseInt(full.slice(4, 6), 16),
    };
  }
  const rgb = /^rgba?\(\s*(\d{1,3})\s*[, ]\s*(\d{1,3})\s*[, ]\s*(\d{1,3})\s*(?:[,/]\s*([\d.]+%?)\s*)?\)$/.exec(v);
  if (rgb) {
    // A see-through colour mixes with what is behind it, which an inline style alone does not tell.
    if (rgb[4] !== undefined && parseFloat(rgb[4]) < (rgb[4].endsWith('%') ? 100 : 1)) return null;
    const [r, g, b] = [rgb[1], rgb[2], rgb[3]].map((n) => Math.min(255, Number(n)));
    return { r: r ?? 0, g: g ?? 0, b: b ?? 0 };
  }
  return null;
}

/** WCAG 2 relative luminance. */
function luminance(c: Rgb): number {
  const channel = (n: number): number => {
    const s = n / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
}

/** The WCAG 2 contrast ratio, 1 to 21. */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}
