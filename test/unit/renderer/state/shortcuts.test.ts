// Shortcut declarations: key names, which group answers a key, typing in a field, and the help's source of truth.
import { describe, expect, it } from 'vitest';
import { Shortcuts, keyLabel, keyName, type KeyPress } from '../../../../src-renderer/src/lib/shortcuts.svelte.js';

function press(key: string, mods: Partial<KeyPress> = {}): KeyPress {
  return { key, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods };
}

describe('keyName', () => {
  it('names plain, shifted, modified and special keys', () => {
    expect(keyName(press('j'))).toBe('j');
    expect(keyName(press('?', { shiftKey: true }))).toBe('?');
    expect(keyName(press('Enter', { ctrlKey: true }))).toBe('Mod+Enter');
    expect(keyName(press('Enter', { metaKey: true }))).toBe('Mod+Enter');
    expect(keyName(press('Tab', { shiftKey: true }))).toBe('Shift+Tab');
    expect(keyName(press('j', { altKey: true }))).toBe('Alt+j');
    expect(keyLabel('ArrowDown')).toBe('↓');
    expect(keyLabel('Mod+Enter')).toBe('Ctrl/⌘+Enter');
  });
});

describe('Shortcuts', () => {
  it('runs the bound shortcut, never one for a modified key, and lists what is registered', () => {
    const shortcuts = new Shortcuts();
    const ran: string[] = [];
    const offGlobal = shortcuts.register({
      title: 'Everywhere',
      shortcuts: [{ keys: ['?'], description: 'Help', run: () => ran.push('help') }],
    });
    const offPage = shortcuts.register({
      title: 'Inbox',
      shortcuts: [{ keys: ['j', 'ArrowDown'], description: 'Next', run: () => ran.push('next') }],
    });
    expect(shortcuts.groups.map((g) => g.title)).toEqual(['Everywhere', 'Inbox']);
    expect(shortcuts.handle(press('ArrowDown'), false)).toBe(true);
    expect(shortcuts.handle(press('j', { ctrlKey: true }), false)).toBe(false);
    expect(shortcuts.handle(press('?', { shiftKey: true }), false)).toBe(true);
    expect(shortcuts.handle(press('x'), false)).toBe(false);
    expect(ran).toEqual(['next', 'help']);

    offPage();
    expect(shortcuts.groups.map((g) => g.title)).toEqual(['Everywhere']);
    expect(shortcuts.handle(press('j'), false)).toBe(false);
    offGlobal();
    expect(shortcuts.groups).toEqual([]);
  });

  it('leaves keys to a text field unless the shortcut is meant for typing too', () => {
    const shortcuts = new Shortcuts();
    const ran: string[] = [];
    shortcuts.register({
      title: 'Settings',
      shortcuts: [
        { keys: ['j'], description: 'Next', run: () => ran.push('next') },
        { keys: ['Mod+Enter'], description: 'Apply', whileTyping: true, run: () => ran.push('apply') },
      ],
    });
    expect(shortcuts.handle(press('j'), true)).toBe(false);
    expect(shortcuts.handle(press('Enter', { ctrlKey: true }), true)).toBe(true);
    expect(ran).toEqual(['apply']);
  });

  it('lets the latest registration take a key over', () => {
    const shortcuts = new Shortcuts();
    const ran: string[] = [];
    shortcuts.register({
      title: 'Everywhere',
      shortcuts: [{ keys: ['/'], description: 'a', run: () => ran.push('global') }],
    });
    const off = shortcuts.register({
      title: 'Page',
      shortcuts: [{ keys: ['/'], description: 'b', run: () => ran.push('page') }],
    });
    shortcuts.handle(press('/'), false);
    off();
    shortcuts.handle(press('/'), false);
    expect(ran).toEqual(['page', 'global']);
  });
});
