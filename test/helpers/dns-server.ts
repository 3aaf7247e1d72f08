// A real DNS server (dns2, UDP) on 127.0.0.1 port 0 that answers from a table of records, for every check that
// looks names up. Names not in the table are NXDOMAIN; a name in `slow` is never answered (timeout tests); a name
// with records of other types only gets an empty answer (NODATA).
import DNS from 'dns2';

const { Packet } = DNS;

export type TestRecord =
  | { type: 'A' | 'AAAA'; address: string; ttl?: number }
  | { type: 'TXT'; data: string | string[]; ttl?: number }
  | { type: 'MX'; exchange: string; priority: number; ttl?: number }
  | { type: 'CNAME'; domain: string; ttl?: number };

export interface TestDnsServer {
  /** `127.0.0.1:PORT`, ready for the resolver's servers list. */
  address: string;
  port: number;
  /** Every question asked, as `TYPE name`, in order. */
  queries: string[];
  set(name: string, records: TestRecord[]): void;
  close(): Promise<void>;
}

/** TXT character-strings are at most 255 bytes; longer text (a DKIM key) is split as DNS zone tools do. */
function chunks(text: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 255) out.push(text.slice(i, i + 255));
  return out.length ? out : [''];
}

export async function startDnsServer(
  zone: Record<string, TestRecord[]> = {},
  options: { slow?: string[] } = {},
): Promise<TestDnsServer> {
  const records = new Map(Object.entries(zone).map(([k, v]) => [k.toLowerCase(), v]));
  const slow = new Set((options.slow ?? []).map((n) => n.toLowerCase()));
  const queries: string[] = [];
  const server = DNS.createUDPServer((request, send) => {
    const response = Packet.createResponseFromRequest(request);
    const question = request.questions[0];
    if (!question) return void send(response);
    const name = question.name.toLowerCase();
    const typeName = Object.entries(Packet.TYPE).find(([, v]) => v === question.type)?.[0] ?? String(question.type);
    queries.push(`${typeName} ${name}`);
    if (slow.has(name)) return; // never answered
    const found = records.get(name);
    if (!found) {
      response.header.rcode = 3; // NXDOMAIN
      return void send(response);
    }
    for (const r of found) {
      const ttl = r.ttl ?? 300;
      // A CNAME answers any type, as a recursive resolver would (without following it).
      if (Packet.TYPE[r.type] !== question.type && r.type !== 'CNAME') continue;
      const base = { name: question.name, type: Packet.TYPE[r.type], class: Packet.CLASS.IN, ttl };
      if (r.type === 'A' || r.type === 'AAAA') response.answers.push({ ...base, address: r.address } as never);
      else if (r.type === 'TXT')
        response.answers.push({ ...base, data: Array.isArray(r.data) ? r.data : chunks(r.data) } as never);
      else if (r.type === 'MX') response.answers.push({ ...base, exchange: r.exchange, priority: r.priority } as never);
      else if (r.type === 'CNAME') response.answers.push({ ...base, domain: r.domain } as never);
    }
    void send(response);
  });
  server.on('requestError', () => {}); // a malformed packet is the client's problem; keep serving
  await server.listen(0, '127.0.0.1');
  const port = server.address().port;
  return {
    address: `127.0.0.1:${port}`,
    port,
    queries,
    set(name, recs) {
      records.set(name.toLowerCase(), recs);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
