/** E-mail through an SMTP relay with nodemailer; STARTTLS is required before any credential or message is sent. */
import nodemailer from 'nodemailer';
import type { ChannelConfig } from './config';
import type { Notifier } from './index';

type Email = Extract<ChannelConfig, { kind: 'email' }>;

export const email: Notifier<Email> = {
  kind: 'email',
  async send(channel, msg, opts) {
    const transport = nodemailer.createTransport({
      host: channel.host,
      port: channel.port,
      secure: false,
      requireTLS: true,
      auth: channel.user ? { user: channel.user, pass: channel.pass ?? '' } : undefined,
      tls: { rejectUnauthorized: channel.tls.rejectUnauthorized, ...(channel.tls.ca ? { ca: channel.tls.ca } : {}) },
      connectionTimeout: opts.timeoutMs,
      greetingTimeout: opts.timeoutMs,
      socketTimeout: opts.timeoutMs,
    });
    try {
      await transport.sendMail({
        from: channel.from,
        to: channel.to,
        subject: `[EduSentry] ${msg.title}`,
        text: `${msg.text}\n\n${msg.event} · ${msg.at}`,
        headers: { 'X-EduSentry-Event': msg.event },
      });
    } finally {
      transport.close();
    }
  },
};
