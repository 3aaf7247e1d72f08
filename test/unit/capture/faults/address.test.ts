// Client-address rules: CIDR and single addresses, IPv4 and IPv6, and IPv4-mapped IPv6 clients.
import { describe, expect, it } from 'vitest';
import { compileAddressMatcher, normalizeClientAddress } from '../../../../src-main/capture/faults/index.js';

describe('compileAddressMatcher', () => {
  it('matches an IPv4 CIDR and nothing outside it', () => {
    const m = compileAddressMatcher('127.0.0.0/8');
    expect(m('127.0.0.1')).toBe(true);
    expect(m('127.255.255.254')).toBe(true);
    expect(m('128.0.0.1')).toBe(false);
    expect(m('10.0.0.1')).toBe(false);
  });

  it('an IPv4-mapped IPv6 client matches an IPv4 rule', () => {
    const m = compileAddressMatcher('127.0.0.0/8');
    expect(m('::ffff:127.0.0.1')).toBe(true);
    expect(m('::FFFF:127.0.0.1')).toBe(true);
    expect(m('::ffff:10.0.0.1')).toBe(false);
  });

  it('an IPv4-mapped rule matches the plain IPv4 client', () => {
    expect(compileAddressMatcher('::ffff:192.0.2.7')('192.0.2.7')).toBe(true);
    expect(compileAddressMatcher('::ffff:192.0.2.0/120')('192.0.2.99')).toBe(true);
    expect(compileAddressMatcher('::ffff:192.0.2.0/120')('192.0.3.1')).toBe(false);
  });

  it('matches a single address exactly', () => {
    const m = compileAddressMatcher('192.0.2.7');
    expect(m('192.0.2.7')).toBe(true);
    expect(m('192.0.2.8')).toBe(false);
  });

  it('matches IPv6 CIDRs and single addresses', () => {
    expect(compileAddressMatcher('::1/128')('::1')).toBe(true);
    expect(compileAddressMatcher('::1/128')('::2')).toBe(false);
    const net = compileAddressMatcher('2001:db8::/32');
    expect(net('2001:db8:1::5')).toBe(true);
    expect(net('2001:db9::5')).toBe(false);
    expect(compileAddressMatcher('2001:DB8::1')('2001:db8:0:0:0:0:0:1')).toBe(true);
    expect(compileAddressMatcher('fe80::/10')('fe80::1%eth0')).toBe(true);
  });

  it('an IPv6 rule does not match an IPv4 client and vice versa', () => {
    expect(compileAddressMatcher('::1')('127.0.0.1')).toBe(false);
    expect(compileAddressMatcher('127.0.0.1')('::1')).toBe(false);
  });

  it('never matches a client address that is not an address', () => {
    const m = compileAddressMatcher('0.0.0.0/0');
    expect(m('1.2.3.4')).toBe(true);
    expect(m('not-an-ip')).toBe(false);
    expect(m('')).toBe(false);
  });

  it.each([
    '300.0.0.1',
    '10.0.0.0/33',
    '::1/129',
    '10.0.0.0/-1',
    '10.0.0.0/8/8',
    'example.test',
    '',
    '10.0.0.0/',
    '::ffff:1.2.3.4/64',
    '10.0.0.0/ 8',
  ])('refuses %j', (spec) => {
    expect(() => compileAddressMatcher(spec)).toThrow();
  });

  it('normalizeClientAddress unwraps mapped IPv4 and drops zones', () => {
    expect(normalizeClientAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(normalizeClientAddress('fe80::1%lo0')).toBe('fe80::1');
    expect(normalizeClientAddress('nope')).toBeNull();
  });
});
