// Shared by the compat suites that run real client libraries against a spawned `serve`.
import nodemailer from 'nodemailer';
import type { ServeProcess } from '../../helpers/serve-process.js';

/** Sends one message over STARTTLS to serve's capture listener (its certificate is self-signed). */
export async function sendThrough(serve: ServeProcess, mail: nodemailer.SendMailOptions): Promise<void> {
  const transport = nodemailer.createTransport({
    host: serve.smtpHost,
    port: serve.smtpPort,
    secure: false,
    tls: { rejectUnauthorized: false },
  });
  try {
    await transport.sendMail(mail);
  } finally {
    transport.close();
  }
}
