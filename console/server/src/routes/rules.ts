/**
 * The security administrator's rules and policies (等保 三员: the security administrator
 * manages rules and policy, nobody else): the rules the running analyzer reports with their
 * state and hit counts, switching a rule off or on, a severity for this installation,
 * exceptions with an expiry and a reason, and uploaded Sigma files. Every change is audited and
 * written to the rule policy folder, which a running analyzer applies before its next batch.
 *
 * Scope: rules run for the whole installation, so switching, severity and uploads are for a
 * security administrator at a root organisation; one lower in the tree lists rules with the
 * hits of their subtree and adds exceptions for their subtree only.
 */
import { randomBytes } from 'node:crypto';
import { SIGMA_LEVELS, type RuleException, type RulePolicyDoc, type SigmaLevel } from '@edusentry/analyzer';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { audit, authOf, isAddress, scopeIds, timeRange, type AppContext } from '../context';
import { apiError } from '../errors';
import { timeProps } from '../schemas';
import type { RulePolicy, UploadProblem } from '../state/rule-policy';

/** Exceptions end: at most a year ahead, so a forgotten one does not hide a rule for ever. */
const MAX_EXCEPTION_MS = 366 * 86_400_000;
const DEFAULT_HITS_MS = 30 * 86_400_000;

interface RuleItem {
  id: string;
  title: string;
  kind: 'rule' | 'correlation';
  description?: string;
  status: string | null;
  /** pending: uploaded, not loaded by the analyzer yet. */
  state: 'active' | 'inactive' | 'pending';
  reason?: string;
  uploaded: boolean;
  datasets: string[];
  enabled: boolean;
  ruleLevel: string | null;
  level: string | null;
  levelOverridden: boolean;
  exceptions: number;
  hits: number;
  /** Alerts the analyzer dropped since dropsSince: switched off, or by an exception the caller sees. */
  dropped: number;
}

const ruleIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 300 } },
} as const;

export const ruleRoutes: FastifyPluginAsync<{ ctx: AppContext; policy: RulePolicy }> = async (app, { ctx, policy }) => {
  const read = (): RulePolicyDoc => {
    try {
      return policy.read();
    } catch (err) {
      ctx.log.error({ dir: policy.dir, err: (err as Error).message }, 'rule policy file unreadable');
      throw apiError('EDU_ERR_RULE_POLICY', 'the rule policy file is unreadable; see the server log');
    }
  };
  const installationWide = (req: FastifyRequest, what: string) => {
    const auth = authOf(req);
    if (!auth.isRoot)
      throw apiError(
        'EDU_ERR_OUT_OF_SCOPE',
        `${what} applies to the whole installation: only a security administrator of a root organisation may do it (you are in "${auth.org.id}")`,
      );
    return auth;
  };
  /** Rule ids the policy may name: what the analyzer runs, and uploads it has not applied yet. */
  const knownRule = (id: string, doc: RulePolicyDoc): boolean =>
    !!policy.catalogue()?.rules.some((r) => r.id === id) || doc.uploaded.some((u) => u.ruleIds.includes(id));
  const visibleException = (req: FastifyRequest, e: RuleException): boolean => {
    const auth = authOf(req);
    return e.orgId ? auth.orgIds.includes(e.orgId) : auth.isRoot;
  };

  app.get<{ Querystring: { from?: string; to?: string } }>(
    '/api/rules',
    {
      config: { permission: 'rules:read' },
      schema: {
        tags: ['rules'],
        querystring: { type: 'object', additionalProperties: false, properties: { ...timeProps } },
      },
    },
    async (req) => {
      const auth = authOf(req);
      const { from, to } = timeRange(ctx, req.query, DEFAULT_HITS_MS);
      const doc = read();
      const catalogue = policy.catalogue();
      const res = await ctx.store.search({
        datasets: ['alert'],
        from,
        to,
        orgIds: auth.orgIds,
        size: 0,
        aggs: { rules: { type: 'terms', field: 'rule.id', size: 5000 } },
      });
      const agg = res.aggs.rules;
      const hits = new Map('buckets' in agg ? agg.buckets.map((b) => [String(b.key), b.count]) : []);
      const now = ctx.now();
      const exceptions = doc.exceptions.filter((e) => Date.parse(e.expiresAt) > now && visibleException(req, e));
      const drops = catalogue?.drops ?? { exceptions: {}, rules: {} };
      const visibleAll = doc.exceptions.filter((e) => visibleException(req, e));
      const dropped = (id: string) =>
        (auth.isRoot ? (drops.rules[id] ?? 0) : 0) +
        visibleAll.filter((e) => e.ruleId === id).reduce((n, e) => n + (drops.exceptions[e.id] ?? 0), 0);
      const listed = new Set<string>();
      const items: RuleItem[] = (catalogue?.rules ?? []).map((r) => {
        listed.add(r.id);
        const o = doc.rules[r.id] ?? {};
        return {
          id: r.id,
          title: r.title,
          kind: r.kind,
          description: r.description,
          status: r.status ?? null,
          state: r.state,
          reason: r.reason,
          uploaded: r.uploaded,
          datasets: r.datasets,
          enabled: o.enabled !== false,
          ruleLevel: r.level ?? null,
          level: o.level ?? r.level ?? null,
          levelOverridden: !!o.level,
          exceptions: exceptions.filter((e) => e.ruleId === r.id).length,
          hits: hits.get(r.id) ?? 0,
          dropped: dropped(r.id),
        };
      });
      // Uploaded but not applied yet (or no analyzer running): listed so the upload can be seen.
      for (const u of doc.uploaded)
        u.ruleIds.forEach((id, i) => {
          if (listed.has(id)) return;
          const o = doc.rules[id] ?? {};
          items.push({
            id,
            title: u.titles[i] ?? id,
            kind: 'rule',
            description: undefined,
            status: null,
            state: 'pending',
            reason: 'uploaded; the analyzer has not loaded it yet',
            uploaded: true,
            datasets: [],
            enabled: o.enabled !== false,
            ruleLevel: null,
            level: o.level ?? null,
            levelOverridden: !!o.level,
            exceptions: exceptions.filter((e) => e.ruleId === id).length,
            hits: hits.get(id) ?? 0,
            dropped: dropped(id),
          });
        });
      return {
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        policyVersion: doc.version,
        analyzer: catalogue
          ? {
              policyVersion: catalogue.policyVersion,
              appliedAt: catalogue.appliedAt,
              dropsSince: catalogue.dropsSince ?? null,
            }
          : null,
        items,
        rejected: auth.isRoot
          ? (catalogue?.rejected ?? []).map((p) => ({
              file: p.file.split(/[\\/]/).pop(),
              line: p.line,
              title: p.title,
              message: p.message,
            }))
          : [],
        uploads: doc.uploaded,
      };
    },
  );

  app.patch<{ Params: { id: string }; Body: { enabled?: boolean; level?: SigmaLevel | null } }>(
    '/api/rules/:id',
    {
      config: { permission: 'rules:write' },
      schema: {
        tags: ['rules'],
        params: ruleIdParams,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            enabled: { type: 'boolean' },
            level: { anyOf: [{ type: 'string', enum: [...SIGMA_LEVELS] }, { type: 'null' }] },
          },
        },
      },
    },
    async (req) => {
      installationWide(req, 'changing a rule');
      const { id } = req.params;
      if (!knownRule(id, read()))
        throw apiError('EDU_ERR_NOT_FOUND', `no rule "${id}" among the rules the analyzer runs`);
      let before = {};
      const doc = policy.change(authOf(req).user.username, (d) => {
        const o = { ...(d.rules[id] ?? {}) };
        before = { ...o };
        if (req.body.enabled !== undefined) o.enabled = req.body.enabled;
        if (req.body.level !== undefined) o.level = req.body.level ?? undefined;
        if (o.enabled !== false) delete o.enabled;
        if (!o.level) delete o.level;
        if (Object.keys(o).length) d.rules[id] = o;
        else delete d.rules[id];
      });
      const after = doc.rules[id] ?? {};
      audit(ctx, req, { action: 'rule.update', target: id, details: { before, after, version: doc.version } });
      return { id, enabled: after.enabled !== false, level: after.level ?? null, policyVersion: doc.version };
    },
  );

  app.get<{ Querystring: { ruleId?: string } }>(
    '/api/rules/exceptions',
    {
      config: { permission: 'rules:read' },
      schema: {
        tags: ['rules'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ruleId: { type: 'string', minLength: 1, maxLength: 300 } },
        },
      },
    },
    async (req) => {
      const now = ctx.now();
      const drops = policy.catalogue()?.drops?.exceptions ?? {};
      const items = read()
        .exceptions.filter((e) => visibleException(req, e) && (!req.query.ruleId || e.ruleId === req.query.ruleId))
        .map((e) => ({ ...e, expired: Date.parse(e.expiresAt) <= now, suppressed: drops[e.id] ?? 0 }));
      return { items };
    },
  );

  app.post<{
    Body: {
      ruleId: string;
      source?: string;
      destination?: string;
      url?: string;
      orgId?: string;
      expiresAt: string;
      reason: string;
    };
  }>(
    '/api/rules/exceptions',
    {
      config: { permission: 'rules:write' },
      schema: {
        tags: ['rules'],
        body: {
          type: 'object',
          required: ['ruleId', 'expiresAt', 'reason'],
          additionalProperties: false,
          properties: {
            ruleId: { type: 'string', minLength: 1, maxLength: 300 },
            source: { type: 'string', minLength: 1, maxLength: 64 },
            destination: { type: 'string', minLength: 1, maxLength: 64 },
            url: { type: 'string', minLength: 1, maxLength: 500 },
            orgId: { type: 'string', minLength: 1, maxLength: 64 },
            expiresAt: { type: 'string', minLength: 1, maxLength: 40 },
            reason: { type: 'string', minLength: 1, maxLength: 500 },
          },
        },
      },
    },
    async (req, reply) => {
      const auth = authOf(req);
      const b = req.body;
      // Below the root an exception is always for the caller's subtree (their own node by default).
      const orgId = b.orgId ?? (auth.isRoot ? undefined : auth.org.id);
      const orgIds = orgId ? scopeIds(ctx, req, orgId) : undefined;
      for (const f of ['source', 'destination'] as const) {
        const v = b[f];
        if (v !== undefined && !isAddress(v, false) && !isAddress(v, true))
          throw apiError('EDU_ERR_VALIDATION', `body/${f} "${v}" is not an IP address or CIDR block like 10.1.0.0/16`);
      }
      if (!b.source && !b.destination && !b.url && !orgId)
        throw apiError('EDU_ERR_VALIDATION', 'body must name at least one of source, destination, url or orgId');
      const now = ctx.now();
      const expires = /^\d+$/.test(b.expiresAt) ? Number(b.expiresAt) : Date.parse(b.expiresAt);
      if (!Number.isFinite(expires))
        throw apiError('EDU_ERR_VALIDATION', `body/expiresAt "${b.expiresAt}" is not an ISO-8601 time`);
      if (expires <= now) throw apiError('EDU_ERR_VALIDATION', 'body/expiresAt must be in the future');
      if (expires > now + MAX_EXCEPTION_MS)
        throw apiError('EDU_ERR_VALIDATION', 'body/expiresAt must be within a year from now');
      if (!b.reason.trim()) throw apiError('EDU_ERR_VALIDATION', 'body/reason must not be blank');
      if (!knownRule(b.ruleId, read()))
        throw apiError('EDU_ERR_NOT_FOUND', `body/ruleId: no rule "${b.ruleId}" among the rules the analyzer runs`);
      const exception: RuleException = {
        id: `exc-${randomBytes(6).toString('hex')}`,
        ruleId: b.ruleId,
        ...(b.source ? { source: b.source } : {}),
        ...(b.destination ? { destination: b.destination } : {}),
        ...(b.url ? { url: b.url } : {}),
        ...(orgId ? { orgId, orgIds } : {}),
        expiresAt: new Date(expires).toISOString(),
        reason: b.reason.trim(),
        createdBy: auth.user.username,
        createdAt: new Date(now).toISOString(),
      };
      const doc = policy.change(auth.user.username, (d) => {
        d.exceptions.push(exception);
      });
      const { orgIds: _subtree, ...shown } = exception;
      audit(ctx, req, {
        action: 'rule.exception.create',
        target: exception.ruleId,
        orgId: orgId ?? auth.user.orgId,
        details: { ...shown, version: doc.version },
      });
      return reply.status(201).send({ ...exception, expired: false, policyVersion: doc.version });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/rules/exceptions/:id',
    {
      config: { permission: 'rules:write' },
      schema: { tags: ['rules'], params: ruleIdParams },
    },
    async (req) => {
      const { id } = req.params;
      const found = read().exceptions.find((e) => e.id === id);
      if (!found || !visibleException(req, found)) throw apiError('EDU_ERR_NOT_FOUND', `no rule exception "${id}"`);
      const doc = policy.change(authOf(req).user.username, (d) => {
        d.exceptions = d.exceptions.filter((e) => e.id !== id);
      });
      audit(ctx, req, {
        action: 'rule.exception.delete',
        target: found.ruleId,
        orgId: found.orgId ?? authOf(req).user.orgId,
        details: { id, reason: found.reason, version: doc.version },
      });
      return { id, deleted: true, policyVersion: doc.version };
    },
  );

  app.post<{ Body: { filename: string; content: string } }>(
    '/api/rules/upload',
    {
      config: { permission: 'rules:write' },
      schema: {
        tags: ['rules'],
        body: {
          type: 'object',
          required: ['filename', 'content'],
          additionalProperties: false,
          properties: {
            filename: { type: 'string', minLength: 1, maxLength: 128 },
            content: { type: 'string', minLength: 1, maxLength: 262_144 },
          },
        },
      },
    },
    async (req, reply) => {
      const auth = installationWide(req, 'uploading a rule');
      const { filename, content } = req.body;
      if (!/^[\w.\-\u4e00-\u9fff ]{1,120}\.ya?ml$/i.test(filename))
        throw apiError('EDU_ERR_VALIDATION', `body/filename "${filename}" must be a .yml or .yaml file name`);
      const reject = (problems: UploadProblem[], code: 'EDU_ERR_RULE_INVALID' | 'EDU_ERR_CONFLICT') => {
        audit(ctx, req, {
          action: 'rule.upload',
          target: filename,
          outcome: 'failure',
          details: { filename, problems: problems.slice(0, 20) },
        });
        const first = problems[0];
        return apiError(
          code,
          `${filename} rejected: ${first.line ? `line ${first.line}: ` : ''}${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`,
          { problems },
        );
      };
      const checked = policy.check(filename, content);
      if (!checked.ok) throw reject(checked.problems, 'EDU_ERR_RULE_INVALID');
      // An id already run from the shipped or configured rules cannot be taken over by an upload.
      const taken = (policy.catalogue()?.rules ?? []).filter((r) => !r.uploaded && checked.ruleIds.includes(r.id));
      if (taken.length)
        throw reject(
          taken.map((r) => ({
            line: 0,
            title: r.title,
            message: `rule id ${r.id} is already "${r.title}", which ships with the installation`,
          })),
          'EDU_ERR_CONFLICT',
        );
      const { entry, replaced, version } = policy.upload(auth.user.username, content, checked);
      audit(ctx, req, {
        action: 'rule.upload',
        target: entry.id,
        details: {
          filename,
          ruleIds: entry.ruleIds,
          sha256: entry.sha256,
          replaced: replaced.map((r) => r.id),
          version,
        },
      });
      return reply
        .status(201)
        .send({ ...entry, filename, replaced: replaced.map((r) => r.id), policyVersion: version });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/rules/uploads/:id',
    {
      config: { permission: 'rules:write' },
      schema: { tags: ['rules'], params: ruleIdParams },
    },
    async (req) => {
      const auth = installationWide(req, 'removing an uploaded rule');
      const { id } = req.params;
      const found = read().uploaded.find((u) => u.id === id);
      if (!found) throw apiError('EDU_ERR_NOT_FOUND', `no uploaded rule file "${id}"`);
      const doc = policy.change(auth.user.username, (d) => {
        d.uploaded = d.uploaded.filter((u) => u.id !== id);
      });
      policy.removeFile(found.file);
      audit(ctx, req, {
        action: 'rule.upload.delete',
        target: id,
        details: { ruleIds: found.ruleIds, version: doc.version },
      });
      return { id, deleted: true, policyVersion: doc.version };
    },
  );
};
