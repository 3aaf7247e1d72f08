// The hash router: every page and everything open in it has an address (`#/inbox/123/html`, `#/sessions/45`,
// `#/settings/listeners/submission`). The address is the URL's fragment, so a link copied from `serve` opens the same
// view for a teammate, Back and Forward work, and the desktop app (a file:// page) never leaves its document: a
// fragment change is an in-page navigation, which the window's navigation guards do not see.
// parseAddress and formatAddress are pure; the Router class holds the current address and talks to the URL through
// a small Locator, so tests drive it without a browser.

/** A page id and the segments after it, decoded: `#/settings/listeners/a%2Fb` is settings + ['listeners', 'a/b']. */
export interface Address {
  readonly page: string;
  readonly path: readonly string[];
}

/** Where an empty, unknown or malformed address lands. */
export const HOME: Address = { page: 'inbox', path: [] };

/** A hash longer than this is no address of ours (a listener id is at most a few dozen characters). */
const MAX_HASH_LENGTH = 2048;
/** The deepest address today has three segments after the page; a few more leave room for later pages. */
const MAX_SEGMENTS = 8;

/** Says whether a page exists and understands the path; the page registry answers it. */
export type AddressCheck = (address: Address) => boolean;

/** Reads a location hash (with or without its '#'). Anything it cannot read, or the check refuses, is HOME. */
export function parseAddress(hash: string, accepts: AddressCheck): Address {
  if (hash.length > MAX_HASH_LENGTH) return HOME;
  const body = hash.startsWith('#') ? hash.slice(1) : hash;
  if (!body.startsWith('/')) return HOME;
  const raw = body.slice(1).split('/');
  if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop(); // a trailing slash names the same place
  if (raw.length > MAX_SEGMENTS) return HOME;
  let segments: string[];
  try {
    segments = raw.map((s) => decodeURIComponent(s));
  } catch {
    return HOME; // a broken %-escape
  }
  const [page, ...path] = segments;
  if (!page || path.some((s) => s === '')) return HOME;
  const address = { page, path };
  return accepts(address) ? address : HOME;
}

export function formatAddress(address: Address): string {
  return `#/${[address.page, ...address.path].map((s) => encodeURIComponent(s)).join('/')}`;
}

export function sameAddress(a: Address, b: Address): boolean {
  return a.page === b.page && a.path.length === b.path.length && a.path.every((s, i) => s === b.path[i]);
}

/** The router's view of the URL: read the hash, write it with or without a new history entry, hear it change. */
export interface Locator {
  hash(): string;
  push(hash: string): void;
  replace(hash: string): void;
  /** Calls back when the hash changes from outside (Back, Forward, an edited URL); returns the unsubscribe. */
  listen(onChange: () => void): () => void;
}

/** The browser's (and Electron window's) location. pushState keeps the query (`?token=`) and never reloads. */
export const windowLocator: Locator = {
  hash: () => window.location.hash,
  push: (hash) => window.history.pushState(null, '', hash),
  replace: (hash) => window.history.replaceState(null, '', hash),
  listen(onChange) {
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  },
};

export class Router {
  #address = $state.raw<Address>(HOME);
  readonly #accepts: AddressCheck;
  readonly #locator: Locator;
  #onChange: (address: Address) => void = () => {};

  constructor(accepts: AddressCheck, locator: Locator = windowLocator) {
    this.#accepts = accepts;
    this.#locator = locator;
  }

  get address(): Address {
    return this.#address;
  }

  /**
   * Reads the URL now and whenever it changes from outside, and hands each new address to `onChange`
   * (synchronously, so the page shows it before anything reacts to the old one). Returns the unsubscribe.
   */
  start(onChange: (address: Address) => void): () => void {
    this.#onChange = onChange;
    const read = (first: boolean): void => {
      const hash = this.#locator.hash();
      const address = parseAddress(hash, this.#accepts);
      // A malformed address is replaced by the one shown instead, so the URL never lies about the view.
      if (formatAddress(address) !== hash) this.#locator.replace(formatAddress(address));
      if (!first && sameAddress(address, this.#address)) return;
      this.#address = address;
      onChange(address);
    };
    read(true);
    const off = this.#locator.listen(() => read(false));
    return () => {
      off();
      this.#onChange = () => {};
    };
  }

  /** The user asks to go somewhere (a navigation button, a link): a new history entry, and the page shows it. */
  navigate(address: Address): void {
    const checked = this.#accepts(address) ? address : HOME;
    if (sameAddress(checked, this.#address)) return;
    this.#locator.push(formatAddress(checked));
    this.#address = checked;
    this.#onChange(checked);
  }

  /** The page moved by itself (a message selected, a tab chosen): a new history entry, nothing to show. */
  follow(address: Address): void {
    if (sameAddress(address, this.#address)) return;
    this.#locator.push(formatAddress(address));
    this.#address = address;
  }

  /** The page shows a fuller form of the same place (`#/inbox/5` is `#/inbox/5/html`): same history entry. */
  correct(address: Address): void {
    if (sameAddress(address, this.#address)) return;
    this.#locator.replace(formatAddress(address));
    this.#address = address;
  }
}
