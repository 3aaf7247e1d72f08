// Client-address matching for fault rules: a CIDR or a single IPv4/IPv6 address, backed by node:net BlockList.
// IPv4-mapped IPv6 clients (`::ffff:127.0.0.1`, what a dual-stack socket reports) match IPv4 rules.
import net from 'node:net';

export type AddressMatcher = (clientAddress: string) => boolean;

/** `::ffff:1.2.3.4` → `1.2.3.4`; strips an IPv6 zone (`fe80::1%eth0`); returns null for a non-address. */
export function normalizeClientAddress(address: string): string | null {
  if (typeof address !== 'string') return null;
  let a = address.trim();
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(a);
  if (mapped && net.isIPv4(mapped[1]!)) return mapped[1]!;
  return net.isIP(a) === 0 ? null : a.toLowerCase();
}

/** Compiles `10.0.0.0/8`, `::1/128`, `192.0.2.7` or `2001:db8::1`; throws a plain Error naming the cause. */
export function compileAddressMatcher(spec: string): AddressMatcher {
  if (typeof spec !== 'string' || spec.trim() === '') throw new Error('expected a CIDR or an IP address');
  const [rawAddress = '', prefixText, extra] = spec.trim().split('/');
  if (extra !== undefined) throw new Error(`"${spec}" is not a valid CIDR`);
  const address = normalizeClientAddress(rawAddress);
  if (address === null || rawAddress.includes('%')) throw new Error(`"${rawAddress}" is not an IP address`);
  const family = net.isIPv4(address) ? 'ipv4' : 'ipv6';
  const list = new net.BlockList();
  if (prefixText === undefined) {
    list.addAddress(address, family);
  } else {
    const writtenAsV6 = rawAddress.includes(':');
    const max = writtenAsV6 ? 128 : 32;
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) {
      throw new Error(`prefix "/${prefixText}" is not valid for ${writtenAsV6 ? 'IPv6' : 'IPv4'} (0-${max})`);
    }
    // A mapped rule address was turned into IPv4 above, so its /96+ prefix has to shrink with it.
    let prefix = Number(prefixText);
    if (family === 'ipv4' && writtenAsV6) {
      if (prefix < 96) throw new Error(`prefix "/${prefixText}" is too short for an IPv4-mapped address (96-128)`);
      prefix -= 96;
    }
    list.addSubnet(address, prefix, family);
  }
  return (clientAddress: string): boolean => {
    const client = normalizeClientAddress(clientAddress);
    if (client === null) return false;
    return list.check(client, net.isIPv4(client) ? 'ipv4' : 'ipv6');
  };
}
