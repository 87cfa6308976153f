/**
 * Generic webhook: the message as JSON. With a secret, X-EduSentry-Signature is
 * `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` and X-EduSentry-Timestamp
 * the epoch milliseconds, so a receiver can check origin and refuse replays.
 */
import { createHmac } from 'node:crypto';
import type { ChannelConfig } from './config';
import { postJson } from './http';
import type { Notifier } from './index';

type Webhook = Extract<ChannelConfig, { kind: 'webhook' }>;

export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export const webhook: Notifier<Webhook> = {
  kind: 'webhook',
  async send(channel, msg, opts) {
    const body = JSON.stringify(msg);
    const timestamp = String(opts.now());
    const headers: Record<string, string> = { 'x-edusentry-event': msg.event, 'x-edusentry-timestamp': timestamp };
    if (channel.secret) headers['x-edusentry-signature'] = webhookSignature(channel.secret, timestamp, body);
    await postJson(channel.url, body, { timeoutMs: opts.timeoutMs, headers });
  },
};
