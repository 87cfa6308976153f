/**
 * Explicit index mappings for the ECS fields EduSentry writes (see schema/ecs.ts).
 * Written as a flat table of dotted paths, expanded into the nested mapping the
 * engines want; the same table tells the query builder which fields are ip/text.
 * Fields not listed are mapped by the dynamic templates: strings become keyword.
 */
export type FieldType = 'keyword' | 'text' | 'ip' | 'date' | 'long' | 'float' | 'boolean' | 'raw';

const kw = 'keyword' as const;

export const ECS_FIELDS: Record<string, FieldType> = {
  '@timestamp': 'date',
  'event.id': kw,
  'event.kind': kw,
  'event.dataset': kw,
  'event.category': kw,
  'event.type': kw,
  'event.action': kw,
  'event.module': kw,
  'event.outcome': kw,
  'event.ingested': 'date',
  'event.severity': 'long',
  'event.start': 'date',
  'event.end': 'date',
  'event.duration': 'long',
  'event.original': 'text',
  'event.reason': 'text',
  'organization.id': kw,
  'organization.name': kw,
  'observer.id': kw,
  'observer.name': kw,
  'observer.hostname': kw,
  'observer.ip': 'ip',
  'observer.type': kw,
  'observer.vendor': kw,
  'observer.product': kw,
  'observer.ingress.interface.name': kw,
  ...endpoint('source'),
  ...endpoint('destination'),
  ...endpoint('client'),
  ...endpoint('server'),
  'network.transport': kw,
  'network.protocol': kw,
  'network.direction': kw,
  'network.bytes': 'long',
  'network.packets': 'long',
  'network.community_id': kw,
  'network.iana_number': kw,
  'network.type': kw,
  'network.vlan.id': kw,
  'network.inner.vlan.id': kw,
  'user.name': kw,
  'user.id': kw,
  'user.domain': kw,
  'host.name': kw,
  'host.ip': 'ip',
  message: 'text',
  tags: kw,
  'dns.id': 'long',
  'dns.type': kw,
  'dns.op_code': kw,
  'dns.response_code': kw,
  'dns.header_flags': kw,
  'dns.question.name': kw,
  'dns.question.type': kw,
  'dns.question.class': kw,
  'dns.question.registered_domain': kw,
  'dns.answers.name': kw,
  'dns.answers.type': kw,
  'dns.answers.class': kw,
  'dns.answers.ttl': 'long',
  'dns.answers.data': kw,
  'dns.resolved_ip': 'ip',
  'http.version': kw,
  'http.request.method': kw,
  'http.request.referrer': kw,
  'http.request.mime_type': kw,
  'http.request.body.bytes': 'long',
  'http.response.status_code': 'long',
  'http.response.mime_type': kw,
  'http.response.body.bytes': 'long',
  'url.original': kw,
  'url.full': kw,
  'url.domain': kw,
  'url.path': kw,
  'url.query': kw,
  'url.scheme': kw,
  'url.port': 'long',
  'user_agent.original': kw,
  'tls.version': kw,
  'tls.version_protocol': kw,
  'tls.cipher': kw,
  'tls.next_protocol': kw,
  'tls.established': 'boolean',
  'tls.client.server_name': kw,
  'tls.client.ja3': kw,
  'tls.client.ja4': kw,
  'tls.client.supported_ciphers': kw,
  'tls.server.ja3s': kw,
  'tls.server.subject': kw,
  'tls.server.issuer': kw,
  'tls.server.not_before': 'date',
  'tls.server.not_after': 'date',
  'tls.server.hash.sha1': kw,
  'log.level': kw,
  'log.logger': kw,
  'log.file.path': kw,
  'log.syslog.facility.code': 'long',
  'log.syslog.facility.name': kw,
  'log.syslog.severity.code': 'long',
  'log.syslog.severity.name': kw,
  'log.syslog.priority': 'long',
  'log.syslog.hostname': kw,
  'log.syslog.appname': kw,
  'log.syslog.procid': kw,
  'log.syslog.msgid': kw,
  'log.syslog.version': kw,
  'process.name': kw,
  'process.pid': 'long',
  'rule.id': kw,
  'rule.name': kw,
  'rule.description': 'text',
  'rule.author': kw,
  'rule.reference': kw,
  'rule.license': kw,
  'rule.ruleset': kw,
  'rule.level': kw,
  'threat.framework': kw,
  'threat.tactic.id': kw,
  'threat.tactic.name': kw,
  'threat.technique.id': kw,
  'threat.technique.name': kw,
  'edu.alert.status': kw,
  'edu.alert.assignee': kw,
  'edu.alert.events': kw,
  'edu.alert.count': 'long',
  'edu.alert.asset': 'ip',
  'edu.alert.remote': 'ip',
  'edu.alert.first_seen': 'date',
  'edu.alert.last_seen': 'date',
  'edu.site.id': kw,
  'edu.site.name': kw,
  'edu.site.up': 'boolean',
  'edu.site.latency_ms': 'float',
  'edu.site.status_code': 'long',
  'edu.site.error': kw,
  'edu.site.check': kw,
  'edu.collector.uptime_s': 'long',
  'edu.collector.spool_bytes': 'long',
  'edu.flow.tcp_flags': kw,
  'edu.flow.end_reason': kw,
  'edu.flow.sampling_rate': 'long',
  'edu.flow.evicted': 'boolean',
};

function endpoint(name: string): Record<string, FieldType> {
  return {
    [`${name}.ip`]: 'ip',
    [`${name}.port`]: 'long',
    [`${name}.bytes`]: 'long',
    [`${name}.packets`]: 'long',
    [`${name}.mac`]: kw,
    [`${name}.domain`]: kw,
    [`${name}.address`]: kw,
    [`${name}.user.name`]: kw,
  };
}

function leaf(type: FieldType): Record<string, unknown> {
  switch (type) {
    case 'keyword':
      return { type, ignore_above: 1024 };
    case 'raw':
      return { type: 'keyword', index: false, doc_values: false };
    case 'text':
      // The keyword sub-field gives analysed text what the embedded store has for any field:
      // sorting, terms, exact match and substrings of the whole value (see exactField).
      return { type, fields: { keyword: { type: 'keyword', ignore_above: 1024 } } };
    default:
      return { type };
  }
}

/** The nested `properties` object for a flat { 'a.b': type } table. */
export function toProperties(fields: Record<string, FieldType>): Record<string, any> {
  const root: Record<string, any> = {};
  for (const [path, type] of Object.entries(fields)) {
    const parts = path.split('.');
    let props = root;
    for (const p of parts.slice(0, -1)) {
      props[p] ??= { properties: {} };
      props = props[p].properties;
    }
    props[parts[parts.length - 1]] = leaf(type);
  }
  return root;
}

/** Mapping shared by every event family. */
export function eventMappings(): Record<string, unknown> {
  return {
    // Unknown strings are keywords, never guessed dates or analysed text.
    date_detection: false,
    dynamic_templates: [
      { strings_as_keyword: { match_mapping_type: 'string', mapping: { type: 'keyword', ignore_above: 1024 } } },
    ],
    properties: toProperties(ECS_FIELDS),
  };
}

/** The quarantine index keeps the rejected document verbatim, unindexed. */
export const QUARANTINE_FIELDS: Record<string, FieldType> = {
  'event.id': kw,
  'event.dataset': kw,
  reason: 'text',
  at: 'date',
  doc: 'raw',
};

export function quarantineMappings(): Record<string, unknown> {
  return { dynamic: false, properties: toProperties(QUARANTINE_FIELDS) };
}

/** The mapped type of a dotted field, if the table knows it. */
export function fieldType(field: string): FieldType | undefined {
  return ECS_FIELDS[field];
}

/** The field to sort, aggregate or match whole values on: the keyword sub-field of analysed text. */
export function exactField(field: string): string {
  return fieldType(field) === 'text' ? `${field}.keyword` : field;
}
