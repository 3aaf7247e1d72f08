// The app under test: a sign-up form that mails a confirmation link (through whatever SMTP server it is given,
// here Mailwright), and the page that link opens. Small on purpose; a real app does the same in more code.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';

export interface SignupApp {
  url: string;
  close(): Promise<void>;
}

export async function startSignupApp(smtp: { host: string; port: number }): Promise<SignupApp> {
  const pending = new Map<string, string>();
  const confirmed = new Set<string>();
  const transport = nodemailer.createTransport({ ...smtp, secure: false, tls: { rejectUnauthorized: false } });
  let base = '';
  const page = (body: string): string => `<!doctype html><meta charset="utf-8"><title>Sign up</title>${body}`;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    if (req.method === 'GET' && url.pathname === '/') {
      res
        .writeHead(200, { 'Content-Type': 'text/html' })
        .end(
          page(
            '<form method="post" action="/signup"><label>Email <input name="email" type="email" required></label>' +
              '<button>Sign up</button></form>',
          ),
        );
      return;
    }
    if (req.method === 'POST' && url.pathname === '/signup') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const email = new URLSearchParams(body).get('email') ?? '';
        const token = randomBytes(16).toString('hex');
        pending.set(token, email);
        transport
          .sendMail({
            from: 'Example Shop <no-reply@shop.example.test>',
            to: email,
            subject: 'Confirm your account',
            text: `Welcome! Confirm your account: ${base}/confirm?token=${token}\n`,
          })
          .then(
            () => res.writeHead(200, { 'Content-Type': 'text/html' }).end(page('<p>Check your inbox.</p>')),
            (err: Error) => res.writeHead(502).end(`could not send mail: ${err.message}`),
          );
      });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/confirm') {
      const email = pending.get(url.searchParams.get('token') ?? '');
      if (email) confirmed.add(email);
      res
        .writeHead(email ? 200 : 404, { 'Content-Type': 'text/html' })
        .end(page(email ? `<p>Your account ${email} is confirmed.</p>` : '<p>Unknown link.</p>'));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    close: () =>
      new Promise<void>((resolve) => {
        transport.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
