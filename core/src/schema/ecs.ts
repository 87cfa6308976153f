/**
 * The ECS events EduSentry produces. Nested objects, ECS field names; our own
 * fields live under `edu`. Every event carries `event.dataset`, which decides the
 * index family it is stored in (see datasets.ts).
 */
import type { Dataset } from './datasets';

export interface EventMeta {
  id: string;
  kind: 'event' | 'alert' | 'metric' | 'state';
  dataset: Dataset;
  category?: string[];
  type?: string[];
  action?: string;
  module?: string;
  outcome?: 'success' | 'failure' | 'unknown';
  /** Set by the store (ingest pipeline or embedded writer), never by producers. */
  ingested?: string;
  /** 0-100; alerts map Sigma levels onto it. */
  severity?: number;
  start?: string;
  end?: string;
  /** Nanoseconds, as ECS says. */
  duration?: number;
  original?: string;
  reason?: string;
}

export interface Endpoint {
  ip?: string;
  port?: number;
  bytes?: number;
  packets?: number;
  mac?: string;
  domain?: string;
  address?: string;
  user?: { name?: string };
}

export interface Organization {
  id: string;
  name?: string;
}

export interface Observer {
  id?: string;
  name?: string;
  hostname?: string;
  ip?: string;
  type?: string;
  vendor?: string;
  product?: string;
  ingress?: { interface?: { name?: string } };
}

export interface Network {
  transport?: string;
  protocol?: string;
  direction?: 'inbound' | 'outbound' | 'internal' | 'external' | 'unknown';
  bytes?: number;
  packets?: number;
  community_id?: string;
  iana_number?: string;
  type?: 'ipv4' | 'ipv6';
  vlan?: { id?: string };
  inner?: { vlan?: { id?: string } };
}

export interface BaseEvent {
  '@timestamp': string;
  event: EventMeta;
  organization?: Organization;
  observer?: Observer;
  source?: Endpoint;
  destination?: Endpoint;
  client?: Endpoint;
  server?: Endpoint;
  network?: Network;
  user?: { name?: string; id?: string; domain?: string };
  host?: { name?: string; ip?: string[] };
  message?: string;
  tags?: string[];
  labels?: Record<string, string>;
  edu?: Record<string, unknown>;
}

export interface FlowEvent extends BaseEvent {
  network: Network;
  edu?: { flow?: { tcp_flags?: string[]; end_reason?: string; sampling_rate?: number; evicted?: boolean } } & Record<
    string,
    unknown
  >;
}

export interface DnsEvent extends BaseEvent {
  dns: {
    id?: number;
    type?: 'query' | 'answer';
    op_code?: string;
    response_code?: string;
    header_flags?: string[];
    question?: { name?: string; type?: string; class?: string; registered_domain?: string };
    answers?: { name?: string; type?: string; class?: string; ttl?: number; data?: string }[];
    resolved_ip?: string[];
  };
}

export interface HttpEvent extends BaseEvent {
  http: {
    version?: string;
    request?: { method?: string; referrer?: string; mime_type?: string; body?: { bytes?: number } };
    response?: { status_code?: number; mime_type?: string; body?: { bytes?: number } };
  };
  url?: {
    original?: string;
    domain?: string;
    path?: string;
    query?: string;
    port?: number;
    full?: string;
    scheme?: string;
  };
  user_agent?: { original?: string };
}

export interface TlsEvent extends BaseEvent {
  tls: {
    version?: string;
    version_protocol?: string;
    cipher?: string;
    next_protocol?: string;
    established?: boolean;
    client?: { server_name?: string; ja3?: string; ja4?: string; supported_ciphers?: string[] };
    server?: {
      ja3s?: string;
      subject?: string;
      issuer?: string;
      not_before?: string;
      not_after?: string;
      hash?: { sha1?: string };
    };
  };
}

export interface SshEvent extends BaseEvent {
  /** ECS has no ssh set; ours lives under edu.ssh. */
  edu: {
    ssh: {
      client?: { software?: string; proto?: string; hassh?: string };
      server?: { software?: string; proto?: string; hassh?: string };
    };
  } & Record<string, unknown>;
}

export interface LogEvent extends BaseEvent {
  message?: string;
  log?: {
    level?: string;
    logger?: string;
    file?: { path?: string };
    syslog?: {
      facility?: { code?: number; name?: string };
      severity?: { code?: number; name?: string };
      priority?: number;
      hostname?: string;
      appname?: string;
      procid?: string;
      msgid?: string;
      version?: string;
      structured_data?: Record<string, Record<string, string>>;
    };
  };
  process?: { name?: string; pid?: number };
  url?: HttpEvent['url'];
  http?: HttpEvent['http'];
  user_agent?: HttpEvent['user_agent'];
  rule?: { name?: string; id?: string };
}

export interface AlertEvent extends BaseEvent {
  rule: {
    id: string;
    name: string;
    description?: string;
    author?: string;
    reference?: string[];
    license?: string;
    ruleset?: string;
    level?: string;
  };
  threat?: {
    framework?: string;
    tactic?: { id?: string[]; name?: string[] };
    technique?: { id?: string[]; name?: string[] };
  };
  edu: {
    alert: {
      status: 'new' | 'acknowledged' | 'false_positive' | 'closed';
      assignee?: string;
      /** Ids of the events that triggered the alert. */
      events: string[];
      count?: number;
      group?: Record<string, string>;
      /** The campus end of the alert (source of outbound traffic, destination of inbound and internal). */
      asset?: string;
      /** The other end: the party outside, or the campus peer of an internal alert. */
      remote?: string;
      first_seen?: string;
      last_seen?: string;
    };
  } & Record<string, unknown>;
}

export interface SiteCheckEvent extends BaseEvent {
  url: { full: string };
  edu: {
    site: {
      id: string;
      name?: string;
      up: boolean;
      latency_ms?: number;
      status_code?: number;
      error?: string;
      check: string;
    };
  } & Record<string, unknown>;
}

export interface HeartbeatEvent extends BaseEvent {
  observer: Observer;
  edu: {
    collector: {
      version?: string;
      uptime_s: number;
      counters: Record<string, number>;
      /** Per second since the previous heartbeat. */
      rates?: Record<string, number>;
      /** Sum of the counters named *drop*. */
      drops?: number;
      spool_bytes?: number;
    };
  } & Record<string, unknown>;
}

export type EcsEvent = BaseEvent &
  Partial<Pick<DnsEvent, 'dns'>> &
  Partial<Pick<HttpEvent, 'http' | 'url' | 'user_agent'>> &
  Partial<Pick<TlsEvent, 'tls'>> &
  Partial<Pick<LogEvent, 'log' | 'process'>> &
  Partial<Pick<AlertEvent, 'rule' | 'threat'>> &
  Record<string, unknown>;
