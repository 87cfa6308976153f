/**
 * The console API's shapes, as console/server/API.md describes them. Global namespace
 * (soybean-admin style) so views and stores say `Api.Alert.Alert` without imports.
 */
declare namespace Api {
  namespace Common {
    type Severity = 'critical' | 'high' | 'medium' | 'low' | 'informational';
    type OrgLevel = 'province' | 'city' | 'school';
    interface Page<T> {
      total: number;
      page: number;
      pageSize: number;
      items: T[];
    }
    interface PageQuery {
      page?: number;
      pageSize?: number;
    }
    interface TimeQuery {
      from?: string;
      to?: string;
    }
    /** An ECS event as the store holds it: nested objects, verbatim strings. */
    type EcsEvent = Record<string, any> & {
      '@timestamp': string;
      event: { id: string; dataset: string; kind?: string; severity?: number; category?: string[]; action?: string };
    };
    interface ErrorBody {
      statusCode: number;
      code: string;
      error?: string;
      message: string;
      details?: Record<string, any>;
    }
  }

  namespace Auth {
    type Role =
      'school_officer' | 'city_monitor' | 'province_monitor' | 'auditor' | 'sys_admin' | 'sec_admin' | 'audit_admin';
    interface User {
      id: string;
      username: string;
      displayName: string;
      /** null: no role granted yet (the security administrator grants one). */
      role: Role | null;
      orgId: string;
      disabled: boolean;
      /** Someone else set the password: the owner changes it before anything else. */
      mustChangePassword: boolean;
      lockedUntil: string | null;
      failedLogins: number;
      createdAt: string;
      lastLoginAt: string | null;
    }
    interface Session {
      user: User;
      csrfToken: string;
      permissions: string[];
      org: Org.OrgNode;
      idleMinutes?: number;
      expiresAt?: string;
    }
    interface LoginBody {
      username: string;
      password: string;
    }
  }

  namespace Org {
    interface OrgNode {
      id: string;
      name: string;
      level: Common.OrgLevel;
      parentId: string | null;
      cidrs: string[];
    }
    interface CreateBody {
      id?: string;
      name: string;
      level: Common.OrgLevel;
      parentId: string | null;
      cidrs: string[];
    }
  }

  namespace User {
    /** GET /api/users/assignable */
    interface Assignable {
      username: string;
      displayName: string;
      role: Auth.Role;
      orgId: string;
    }
    /** A new account has no role: the security administrator grants one (PUT /api/users/:id/grant). */
    interface CreateBody {
      username: string;
      password: string;
      displayName?: string;
      orgId: string;
    }
    interface PatchBody {
      displayName?: string;
      disabled?: boolean;
      password?: string;
    }
    /** 授权: a non-administrator role (or null to revoke) and the organisation scope. */
    interface GrantBody {
      role: Exclude<Auth.Role, 'sys_admin' | 'sec_admin' | 'audit_admin'> | null;
      orgId?: string;
    }
  }

  namespace Alert {
    type Status = 'new' | 'acknowledged' | 'false_positive' | 'closed';
    type TriageAction = 'acknowledge' | 'assign' | 'false_positive' | 'close' | 'reopen';
    interface Rule {
      id: string;
      name: string;
      description?: string;
      author?: string;
      license?: string;
      level?: string;
      reference?: string[];
    }
    type Alert = Common.EcsEvent & {
      severity: Common.Severity;
      organization?: { id: string; name?: string };
      rule: Rule;
      threat?: { tactic?: { id?: string[]; name?: string[] }; technique?: { id?: string[]; name?: string[] } };
      source?: { ip?: string; port?: number };
      destination?: { ip?: string; port?: number };
      user?: { name?: string };
      edu: {
        alert: {
          status: Status;
          assignee?: string;
          events: string[];
          count?: number;
          /** The campus end (the analyzer's edu.alert.asset) and the other end. */
          asset?: string;
          remote?: string;
          first_seen?: string;
          last_seen?: string;
          reason?: string;
          closed_by?: string;
        };
      } & Record<string, any>;
    };
    interface TriageEntry {
      id: number;
      alertId: string;
      at: string;
      actor: string;
      action: TriageAction;
      from: Status | null;
      to: Status | null;
      assignee: string | null;
      reason: string | null;
    }
    interface Note {
      id: number;
      alertId: string;
      at: string;
      author: string;
      text: string;
    }
    interface Detail {
      alert: Alert;
      rule: Rule;
      events: Common.EcsEvent[];
      user: string | null;
      history: TriageEntry[];
      notes: Note[];
      incidents: { id: string; title: string }[];
    }
    type SortField = '@timestamp' | 'event.severity' | 'rule.name' | 'edu.alert.status';
    interface ListQuery extends Common.PageQuery, Common.TimeQuery {
      status?: string;
      severity?: string;
      ruleId?: string;
      orgId?: string;
      assignee?: string;
      sourceIp?: string;
      destinationIp?: string;
      asset?: string;
      remote?: string;
      q?: string;
      sort?: SortField;
      order?: 'asc' | 'desc';
    }
    interface TriageBody {
      action: TriageAction;
      assignee?: string;
      reason?: string;
    }
    interface BulkResult {
      updated: string[];
      failed: { id: string; code: string; message: string }[];
    }
  }

  namespace Incident {
    type Grade = '特别重大' | '重大' | '较大' | '一般';
    type Category =
      '有害程序事件' | '网络攻击事件' | '信息破坏事件' | '信息内容安全事件' | '设备设施故障' | '灾害性事件' | '其他';
    type Status = 'open' | 'investigating' | 'contained' | 'closed';
    type TimelineKind = 'created' | 'status' | 'update' | 'action' | 'evidence' | 'note' | 'alert';
    interface TimelineEntry {
      id: number;
      at: string;
      actor: string;
      kind: TimelineKind;
      text: string;
    }
    interface Incident {
      id: string;
      title: string;
      description: string;
      grade: Grade;
      category: Category;
      status: Status;
      orgId: string;
      owner: string | null;
      createdBy: string;
      createdAt: string;
      updatedAt: string;
      closedAt: string | null;
      alertIds: string[];
      timeline?: TimelineEntry[];
    }
    interface ListQuery extends Common.PageQuery {
      status?: string;
      grade?: string;
      category?: string;
      orgId?: string;
      q?: string;
    }
    interface CreateBody {
      title: string;
      description?: string;
      grade: Grade;
      category: Category;
      orgId?: string;
      owner?: string;
      alertIds: string[];
    }
    interface PatchBody {
      title?: string;
      description?: string;
      grade?: Grade;
      category?: Category;
      owner?: string | null;
      status?: Status;
    }
  }

  namespace Posture {
    type BySeverity = Record<Common.Severity, number>;
    interface Bucket {
      key: string;
      count: number;
    }
    interface Risk {
      orgId: string;
      name: string;
      level: Common.OrgLevel;
      parentId: string | null;
      score: number;
      open: number;
      bySeverity: BySeverity;
    }
    interface Posture {
      from: string;
      to: string;
      intervalMs: number;
      kpis: {
        alertsOpen: { total: number; bySeverity: BySeverity };
        alertsNewToday: { total: number; bySeverity: BySeverity };
        eventsPerSecond: number;
        events: number;
        collectorsUp: number;
        collectorsTotal: number;
      };
      trend: { t: string; alerts: number; events: number }[];
      severity: { key: Common.Severity; count: number }[];
      tactics: Bucket[];
      topRules: { id: string; name: string; count: number }[];
      topAssets: Bucket[];
      topSources: Bucket[];
      risk: Risk[];
    }
    interface Query extends Common.TimeQuery {
      orgId?: string;
      interval?: number;
    }
  }

  namespace Search {
    type Op = 'eq' | 'neq' | 'prefix' | 'contains' | 'exists' | 'missing' | 'cidr' | 'gte' | 'lte';
    interface Filter {
      field: string;
      op: Op;
      value?: string;
    }
    interface Body extends Common.PageQuery, Common.TimeQuery {
      datasets?: string[];
      orgId?: string;
      text?: string;
      filters?: Filter[];
      sort?: { field: string; order: 'asc' | 'desc' };
      fields?: string[];
    }
    interface Result extends Common.Page<Common.EcsEvent> {
      sidebar: { field: string; top: { value: string | number; count: number }[] }[];
    }
    interface Fields {
      datasets: string[];
      fields: string[];
    }
  }

  namespace Collector {
    interface Collector {
      observerId: string;
      name: string | null;
      hostname: string | null;
      orgId: string | null;
      lastSeen: string;
      up: boolean;
      uptimeS: number;
      counters: Record<string, number>;
      rates: Record<string, number>;
      spoolBytes: number;
      drops: number;
    }
  }

  namespace Audit {
    interface Record {
      seq: number;
      at: string;
      actor: string | null;
      role: string | null;
      orgId: string | null;
      ip: string | null;
      action: string;
      target: string | null;
      outcome: 'success' | 'failure';
      details: { [k: string]: unknown };
      prevHash: string;
      hash: string;
    }
    interface Verify {
      ok: boolean;
      count: number;
      verifiedAt: string;
      /** seq is null when the broken record lies outside the caller's subtree. */
      firstBroken: null | {
        seq: number | null;
        reason:
          'modified' | 'deleted' | 'inserted' | 'truncated' | 'rolled_back' | 'checkpoints_cut' | 'checkpoints_forged';
      };
      message?: string;
      scope: string;
      checkpoint?: { counter: number; seq: number; at: string } | null;
    }
    interface ListQuery extends Common.PageQuery, Common.TimeQuery {
      actor?: string;
      action?: string;
    }
  }
}
