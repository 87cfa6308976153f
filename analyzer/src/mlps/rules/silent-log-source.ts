/**
 * A school's log source gone silent (8.1.3.5, 8.1.5.4 c/d): a collector, syslog device or flow
 * exporter that reported before and has sent nothing for analyzer.mlps.silentAfterMin, measured in
 * event time (the latest event the analyzer has read), so a replay raises the same alerts. One
 * alert per silence; the source speaking again ends it.
 */
import type { AlertEvent } from '@edusentry/core';
import { dataset, mlpsAlert, str, timeMs, type Ev, type MlpsRule } from '../rule';

interface Source {
  key: string;
  kind: string;
  lastMs: number;
  last: Ev;
  alerted: boolean;
}

/** What kind of source sent it, and which one: the collector, the syslog sender or the exporter. */
function sourceOf(ev: Ev): { kind: string; name: string } | undefined {
  const ds = dataset(ev);
  const observer = str(ev, 'observer.id') ?? str(ev, 'observer.hostname') ?? str(ev, 'observer.ip');
  const agent = str(ev, 'agent.id') ?? str(ev, 'agent.name');
  if (ds === 'collector.heartbeat' && agent) return { kind: '采集器', name: agent };
  if (ds === 'syslog' && (observer || str(ev, 'log.syslog.hostname')))
    return { kind: 'syslog 设备', name: (observer ?? str(ev, 'log.syslog.hostname'))! };
  if (ds === 'network.flow' && str(ev, 'edu.flow.exporter'))
    return { kind: '流量导出器', name: str(ev, 'edu.flow.exporter')! };
  if (ds === 'network.flow' && observer) return { kind: '流量探针', name: observer };
  return undefined;
}

export function createSilentLogSource(): MlpsRule {
  const sources = new Map<string, Source>();
  return {
    id: 'rule.silent-log-source',
    title: '日志源静默（Log Source Silent Longer Than The Threshold）',
    description: '学校的采集器、syslog 设备或流量导出器在阈值时间内没有上报任何数据，审计数据可能中断。',
    level: 'medium',
    tags: ['djbh.l3.8.1.3.5.a', 'djbh.l3.8.1.4.3.d', 'djbh.l3.8.1.5.4.c', 'djbh.l3.8.1.5.4.d', 'djbh.l2.7.1.3.5.a'],
    process(ev) {
      const s = sourceOf(ev);
      if (!s) return [];
      const org = str(ev, 'organization.id') ?? '';
      const key = `${org}|${s.kind}|${s.name}`;
      const t = timeMs(ev);
      const cur = sources.get(key);
      if (!cur || t >= cur.lastMs) sources.set(key, { key, kind: s.kind, lastMs: t, last: ev, alerted: false });
      return [];
    },
    tick(nowMs, ctx) {
      const limit = ctx.config.silentAfterMin * 60_000;
      const out: AlertEvent[] = [];
      for (const s of sources.values()) {
        if (s.alerted || nowMs - s.lastMs <= limit) continue;
        s.alerted = true;
        const min = Math.round((nowMs - s.lastMs) / 60_000);
        // The id is rule + source + its last report: one alert per silence, also after a replay.
        const a = mlpsAlert(this, [s.last], [s.key, s.lastMs], `${s.kind} ${s.key.split('|')[2]} 已静默 ${min} 分钟`);
        a['@timestamp'] = new Date(nowMs).toISOString();
        a.event.end = a['@timestamp'];
        a.edu.alert.last_seen = a['@timestamp'];
        out.push(a);
      }
      return out;
    },
  };
}
