// The glob language for sender/recipient/user patterns, including hostile patterns that would make a
// naive RegExp backtrack for minutes.
import { describe, expect, it } from 'vitest';
import { MAX_GLOB_CHARS, compileGlob } from '../../../../src-main/capture/faults/index.js';

describe('compileGlob', () => {
  it('matches literally, case-insensitively, anchored at both ends', () => {
    const m = compileGlob('Bob@Example.test');
    expect(m('bob@example.test')).toBe(true);
    expect(m('BOB@EXAMPLE.TEST')).toBe(true);
    expect(m('xbob@example.test')).toBe(false);
    expect(m('bob@example.testx')).toBe(false);
  });

  it('* is any run (also empty), ? exactly one character', () => {
    expect(compileGlob('*@example.test')('anyone@example.test')).toBe(true);
    expect(compileGlob('*@example.test')('@example.test')).toBe(true);
    expect(compileGlob('*@example.test')('a@example.testing')).toBe(false);
    expect(compileGlob('user?@*')('user1@x')).toBe(true);
    expect(compileGlob('user?@*')('user@x')).toBe(false);
    expect(compileGlob('user?@*')('user12@x')).toBe(false);
    expect(compileGlob('*')('')).toBe(true);
    expect(compileGlob('a*b*c')('aXXbYYc')).toBe(true);
    expect(compileGlob('a*b*c')('aXXcYYb')).toBe(false);
  });

  it('treats regex metacharacters as literal text', () => {
    const m = compileGlob('a.b+c(d)[e]{2}|^$\\@x');
    expect(m('a.b+c(d)[e]{2}|^$\\@x')).toBe(true);
    expect(m('aXb+c(d)[e]{2}|^$\\@x')).toBe(false);
    expect(compileGlob('.*')('anything')).toBe(false);
    expect(compileGlob('.*')('.whatever')).toBe(true);
    expect(compileGlob('[a-z]@x')('b@x')).toBe(false);
  });

  it('? matches one character even outside the BMP', () => {
    expect(compileGlob('?@x')('😀@x')).toBe(true);
  });

  it('refuses a pattern over the length cap and accepts one at it', () => {
    expect(() => compileGlob('a'.repeat(MAX_GLOB_CHARS + 1))).toThrow(/longer than/);
    expect(compileGlob('a'.repeat(MAX_GLOB_CHARS))('a'.repeat(MAX_GLOB_CHARS))).toBe(true);
  });

  it('a star-heavy pattern against a long non-matching input finishes and says no', () => {
    // As a RegExp this shape backtracks polynomially (minutes); the walk is O(pattern × input).
    const pattern = '*a'.repeat(60) + 'b';
    const m = compileGlob(pattern);
    expect(m('a'.repeat(1000))).toBe(false);
    expect(m('a'.repeat(59) + 'b')).toBe(false);
    expect(m('a'.repeat(60) + 'b')).toBe(true);
  });

  it('refuses inputs longer than any SMTP line instead of scanning them', () => {
    expect(compileGlob('*')('a'.repeat(5000))).toBe(false);
  });
});
