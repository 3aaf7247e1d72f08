// Child process for crash.test.ts: ingests messages, reports each id once ingest() resolved, then
// kills itself with SIGKILL (no close, no flush, no idle) to stand in for a crash.
import { Store } from '../../../src-main/store/index.js';

const [dir, countArg] = process.argv.slice(2);
const count = Number(countArg);
const store = Store.open({ dataDir: dir!, retention: { maxMessages: 0, maxBytes: 0 } });
const envelope = {
  mailFrom: 'a@example.test',
  rcptTo: ['b@example.test'],
  heloName: 'h',
  clientAddress: '127.0.0.1',
  clientPort: 1,
  tls: null,
  authUser: null,
  listener: 'smtp',
};
let done = 0;
for (let i = 0; i < count; i++) {
  const raw = Buffer.from(`From: a@example.test\r\nSubject: crash ${i}\r\n\r\nbody \x00\xff ${i}\r\n`, 'latin1');
  void store.ingest(raw, envelope).then((s) => {
    process.stdout.write(`ok ${i} ${s.id}\n`);
    if (++done === count) process.kill(process.pid, 'SIGKILL');
  });
}
