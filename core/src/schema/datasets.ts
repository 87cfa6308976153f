/**
 * `event.dataset` names and the index family each is stored in. One family per
 * kind of event, so each family gets its own mapping, rollover and retention.
 */
export const DATASETS = {
  'network.flow': 'flow',
  'network.dns': 'dns',
  'network.http': 'http',
  'network.tls': 'tls',
  'network.ssh': 'ssh',
  syslog: 'log',
  alert: 'alert',
  'site.check': 'site',
  'collector.heartbeat': 'heartbeat',
} as const;

export type Dataset = keyof typeof DATASETS;
export type Family = (typeof DATASETS)[Dataset];

export const FAMILIES: Family[] = [...new Set(Object.values(DATASETS))];

export function familyOf(dataset: string): Family {
  const family = (DATASETS as Record<string, Family>)[dataset];
  if (!family) throw new Error(`unknown event.dataset "${dataset}" (known: ${Object.keys(DATASETS).join(', ')})`);
  return family;
}

export function isDataset(value: unknown): value is Dataset {
  return typeof value === 'string' && value in DATASETS;
}
