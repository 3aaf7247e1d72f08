// Copyable "point your app here" snippets for the empty state, filled with the real listener address.
import type { ListenerStatus } from '../../../src-shared/types.js';

export interface Endpoint {
  host: string;
  port: number;
  tls: ListenerStatus['tls'];
  auth: ListenerStatus['auth'];
}

export interface Snippet {
  id: string;
  label: string;
  code: string;
}

/** A wildcard bind is reachable as the host the UI came from (or loopback on the desktop). */
export function endpointOf(l: ListenerStatus, pageHost: string): Endpoint {
  const wildcard = l.host === '0.0.0.0' || l.host === '::' || l.host === '';
  return { host: wildcard ? pageHost || '127.0.0.1' : l.host, port: l.port, tls: l.tls, auth: l.auth };
}

/** How each TLS mode reads to someone configuring a client. */
export const TLS_LABELS: Record<ListenerStatus['tls'], string> = {
  none: 'no TLS',
  starttls: 'STARTTLS optional',
  'starttls-required': 'STARTTLS required',
  implicit: 'implicit TLS (SMTPS)',
};

/** The AUTH policy as the status bar says it. */
export const AUTH_LABELS: Record<ListenerStatus['auth']['policy'], string> = {
  off: 'no AUTH',
  optional: 'AUTH optional',
  required: 'AUTH required',
};

/** What a client must do to log in: the policy, and whether any credentials pass or only the configured users. */
export function describeAuth(auth: ListenerStatus['auth']): string {
  if (auth.policy === 'off') return 'no AUTH';
  return `${AUTH_LABELS[auth.policy]} (${auth.anyCredentials ? 'any credentials accepted' : 'configured users only'})`;
}

export function describeEndpoint(e: Endpoint): string {
  return `SMTP ${e.host}:${e.port}, ${TLS_LABELS[e.tls]}, ${describeAuth(e.auth)}`;
}

export function snippets(e: Endpoint): Snippet[] {
  const implicit = e.tls === 'implicit';
  const login = e.auth.policy === 'required';
  const credentialsNote = e.auth.anyCredentials
    ? 'any username and password are accepted'
    : 'a user from Settings → Listeners';
  const phpHost = e.host.includes(':') ? `[${e.host}]` : e.host;
  return [
    {
      id: 'node',
      label: 'Node (nodemailer)',
      code: `import nodemailer from 'nodemailer';

const transport = nodemailer.createTransport({
  host: '${e.host}',
  port: ${e.port},
  secure: ${implicit},
  tls: { rejectUnauthorized: false }, // Mailwright's certificate is self-signed${
    login
      ? `
  auth: { user: 'user', pass: 'secret' }, // ${credentialsNote}`
      : ''
  }
});

await transport.sendMail({
  from: 'app@example.test',
  to: 'user@example.test',
  subject: 'Hello from my app',
  text: 'It works!',
});`,
    },
    {
      id: 'python',
      label: 'Python (smtplib)',
      code: `import smtplib${implicit ? ', ssl' : ''}
from email.message import EmailMessage

msg = EmailMessage()
msg["From"] = "app@example.test"
msg["To"] = "user@example.test"
msg["Subject"] = "Hello from my app"
msg.set_content("It works!")

${
  implicit
    ? `ctx = ssl._create_unverified_context()  # Mailwright's certificate is self-signed
with smtplib.SMTP_SSL("${e.host}", ${e.port}, context=ctx) as smtp:`
    : `with smtplib.SMTP("${e.host}", ${e.port}) as smtp:`
}
    smtp.send_message(msg)`,
    },
    {
      id: 'php',
      label: 'PHP (PHPMailer / mail())',
      code: `<?php
use PHPMailer\\PHPMailer\\PHPMailer;

$mail = new PHPMailer(true);
$mail->isSMTP();
$mail->Host = '${e.host}';
$mail->Port = ${e.port};
$mail->SMTPAuth = false;
${implicit ? `$mail->SMTPSecure = PHPMailer::ENCRYPTION_SMTPS;\n$mail->SMTPOptions = ['ssl' => ['verify_peer' => false, 'verify_peer_name' => false]];` : `$mail->SMTPAutoTLS = false;`}
$mail->setFrom('app@example.test');
$mail->addAddress('user@example.test');
$mail->Subject = 'Hello from my app';
$mail->Body = 'It works!';
$mail->send();

// Or plain mail(), in php.ini:
//   Windows:      SMTP = ${e.host}
//                 smtp_port = ${e.port}
//   Linux/macOS:  sendmail_path = "msmtp --host=${phpHost} --port=${e.port}${implicit ? ' --tls=on --tls-starttls=off --tls-certcheck=off' : ''} --from=app@example.test -t"`,
    },
    {
      id: 'java',
      label: 'Java (Jakarta Mail)',
      code: `Properties props = new Properties();
props.put("mail.smtp.host", "${e.host}");
props.put("mail.smtp.port", "${e.port}");
${
  implicit
    ? `props.put("mail.smtp.ssl.enable", "true");
props.put("mail.smtp.ssl.trust", "*"); // Mailwright's certificate is self-signed`
    : e.tls === 'starttls-required'
      ? `props.put("mail.smtp.starttls.enable", "true");
props.put("mail.smtp.starttls.required", "true");
props.put("mail.smtp.ssl.trust", "*"); // Mailwright's certificate is self-signed`
      : `props.put("mail.smtp.starttls.enable", "false");`
}

Session session = Session.getInstance(props);
MimeMessage msg = new MimeMessage(session);
msg.setFrom(new InternetAddress("app@example.test"));
msg.setRecipients(Message.RecipientType.TO, "user@example.test");
msg.setSubject("Hello from my app");
msg.setText("It works!");
Transport.send(msg);`,
    },
  ];
}
