/** WeCom (企业微信) group robot: a markdown message to the robot's webhook (the key is in its URL). */
import type { ChannelConfig } from './config';
import { postJson } from './http';
import type { Notifier } from './index';

type WeCom = Extract<ChannelConfig, { kind: 'wecom' }>;

export const wecom: Notifier<WeCom> = {
  kind: 'wecom',
  async send(channel, msg, opts) {
    const content = `**${msg.title}**\n${msg.text}`;
    await postJson(
      channel.url,
      { msgtype: 'markdown', markdown: { content } },
      { timeoutMs: opts.timeoutMs, robot: true },
    );
  },
};
