// The library's ceiling: a bare smtp-server that accepts every message and discards the data.
// Run as its own process (`node --import tsx bench/bare-smtp-server.ts [port]`); prints
// `BARE_READY {"port":N}` once listening and `BARE_COUNT n` on SIGUSR2.
import { SMTPServer } from 'smtp-server';

const port = Number(process.argv[2] ?? 0);
let accepted = 0;

const server = new SMTPServer({
  disableReverseLookup: true,
  authOptional: true,
  logger: false,
  // Same message-size room as the other servers get; the benchmark never gets near it.
  size: 50 * 1024 * 1024,
  onData(stream, _session, callback) {
    stream.on('data', () => {
      /* drain */
    });
    stream.on('end', () => {
      accepted++;
      callback(null);
    });
  },
});

server.on('error', (err) => console.error('[bare] error:', err.message));
server.listen(port, '127.0.0.1', () => {
  const addr = server.server.address();
  const bound = typeof addr === 'object' && addr ? addr.port : port;
  process.stdout.write(`BARE_READY ${JSON.stringify({ port: bound })}\n`);
});

process.on('SIGUSR2', () => process.stdout.write(`BARE_COUNT ${accepted}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
