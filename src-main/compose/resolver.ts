// Name lookups for profile hosts: every A and AAAA address. With DNS servers set (host:port, tests point them at a
// loopback server), a node:dns Resolver asks them; without, the system's resolver (and /etc/hosts) answers.
import { promises as dns } from 'node:dns';

export type HostResolver = (host: string) => Promise<string[]>;

export function hostResolver(servers?: readonly string[]): HostResolver {
  if (!servers || servers.length === 0) {
    return async (host) => (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  }
  const resolver = new dns.Resolver({ timeout: 3000, tries: 2 });
  resolver.setServers([...servers]);
  return async (host) => {
    const [v4, v6] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
    const addresses = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
    if (addresses.length > 0) return addresses;
    const reason = (
      v4.status === 'rejected' ? v4.reason : v6.status === 'rejected' ? v6.reason : null
    ) as NodeJS.ErrnoException | null;
    throw Object.assign(new Error(`${host}: ${reason?.code ?? 'no address'}`), { code: reason?.code ?? 'ENODATA' });
  };
}
