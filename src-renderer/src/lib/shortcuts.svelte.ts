// Keyboard shortcuts as declarations: the page that owns a shortcut registers it while it is shown, the shell
// registers the global ones, one window listener dispatches them, and the help overlay lists the same declarations.

export interface Shortcut {
  /** Key names as keyName() spells them: 'j', 'ArrowDown', 'Delete', '?', 'Mod+Enter' (Ctrl, or Cmd on macOS). */
  readonly keys: readonly string[];
  /** What it does, for the help overlay. */
  readonly description: string;
  readonly run: () => void;
  /** Also while the focus is in a text field or a dialog (Mod+Enter to apply); plain keys are text there. */
  readonly whileTyping?: boolean;
}

export interface ShortcutGroup {
  readonly title: string;
  readonly shortcuts: readonly Shortcut[];
}

/** The parts of a KeyboardEvent a shortcut looks at; tests pass plain objects. */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

/** Shift is part of a printable key already ('?' is Shift+/ on most layouts); it is named only for the others. */
export function keyName(e: KeyPress): string {
  const printable = e.key.length === 1;
  const mods = [e.ctrlKey || e.metaKey ? 'Mod' : '', e.altKey ? 'Alt' : '', e.shiftKey && !printable ? 'Shift' : ''];
  return [...mods.filter(Boolean), e.key].join('+');
}

/** How the help overlay shows a key name. */
export function keyLabel(name: string): string {
  const labels: Record<string, string> = {
    ArrowDown: '↓',
    ArrowUp: '↑',
    ArrowLeft: '←',
    ArrowRight: '→',
    Mod: 'Ctrl/⌘',
  };
  return name
    .split('+')
    .map((part) => labels[part] ?? part)
    .join('+');
}

export class Shortcuts {
  #groups = $state.raw<ShortcutGroup[]>([]);

  /** What is registered now, global ones first (the shell registers before any page). */
  get groups(): readonly ShortcutGroup[] {
    return this.#groups;
  }

  /** Adds a group while its owner is shown; returns the function that removes it. */
  register(group: ShortcutGroup): () => void {
    this.#groups = [...this.#groups, group];
    return () => {
      this.#groups = this.#groups.filter((g) => g !== group);
    };
  }

  /** Runs the shortcut bound to this key press, if any; true when one ran (the caller then prevents the default). */
  handle(e: KeyPress, typing: boolean): boolean {
    const name = keyName(e);
    // The latest registration wins, so a page may take over a key the shell also uses.
    for (const group of [...this.#groups].reverse()) {
      const shortcut = group.shortcuts.find((s) => s.keys.includes(name) && (!typing || s.whileTyping));
      if (shortcut) {
        shortcut.run();
        return true;
      }
    }
    return false;
  }
}

/** A text field, an editable element or anything in a dialog takes the keys itself. */
export function isTyping(target: EventTarget | null): boolean {
  if (typeof HTMLElement === 'undefined' || !(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || !!target.closest('dialog')
  );
}
