/**
 * DingTalk custom robot (自定义机器人), markdown message. With 加签: sign =
 * Base64(HmacSHA256(secret, "<timestamp ms>\n<secret>")), URL-encoded, sent with the
 * timestamp as query parameters beside access_token, as DingTalk documents.
 */
import { createHmac } from 'node:crypto';
import type { ChannelConfig } from './config';
import { postJson } from './http';
import type { Notifier } from './index';

type DingTalk = Extract<ChannelConfig, { kind: 'dingtalk' }>;

export function dingtalkSign(secret: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
}

export const dingtalk: Notifier<DingTalk> = {
  kind: 'dingtalk',
  async send(channel, msg, opts) {
    const url = new URL(channel.url);
    if (channel.secret) {
      const timestamp = String(opts.now());
      url.searchParams.set('timestamp', timestamp);
      url.searchParams.set('sign', dingtalkSign(channel.secret, timestamp));
    }
    const text = `### ${msg.title}\n\n${msg.text.split('\n').join('\n\n')}`;
    await postJson(
      url.toString(),
      { msgtype: 'markdown', markdown: { title: msg.title, text } },
      { timeoutMs: opts.timeoutMs, robot: true },
    );
  },
};
