/**
 * Outbound notification channels, one file per kind behind one interface (as
 * uptime-kuma's providers). A channel sends one message or throws; retries, back-off
 * and the record of attempts are the queue's (queue.ts).
 */
import type { ChannelConfig } from './config';
import { dingtalk } from './dingtalk';
import { email } from './email';
import type { NotifyMessage } from './message';
import { webhook } from './webhook';
import { wecom } from './wecom';

export interface SendOptions {
  timeoutMs: number;
  now: () => number;
}

export interface Notifier<C extends ChannelConfig = ChannelConfig> {
  kind: C['kind'];
  send(channel: C, msg: NotifyMessage, opts: SendOptions): Promise<void>;
}

/** The registration table: a new channel kind is one file and one line here (and its config schema). */
export const NOTIFIERS: { [K in ChannelConfig['kind']]: Notifier<Extract<ChannelConfig, { kind: K }>> } = {
  webhook,
  email,
  dingtalk,
  wecom,
};

export function notifierOf(channel: ChannelConfig): Notifier {
  return NOTIFIERS[channel.kind] as Notifier;
}

export type { NotifyMessage } from './message';
