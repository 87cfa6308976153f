/**
 * The organisation tree (province → city → school with campus CIDRs), cached in memory.
 * Deleting a node is a soft delete: its row stays (so its id is never given out again and
 * its alerts, incidents and audit records stay in its ancestors' scope) and it leaves
 * the live tree (no new users, children or incidents under it).
 */
import { subtreeIds, type OrgLevel, type OrgNode } from '@edusentry/core';
import type { Db } from './db';

const CHILD_LEVEL: Record<OrgLevel, OrgLevel | null> = { province: 'city', city: 'school', school: null };

export class OrgTree {
  /** Live nodes. */
  private nodes: OrgNode[] = [];
  private byId = new Map<string, OrgNode>();
  /** Live and deleted nodes: scope (history) is computed over these. */
  private everyNode: OrgNode[] = [];
  private everIds = new Set<string>();
  private deleted = new Map<string, { at: number; actor: string | null }>();
  private root: string | undefined;

  constructor(private readonly db: Db) {
    // Its own table, created here: the deletion marks are this class's alone.
    db.exec(`CREATE TABLE IF NOT EXISTS org_deletions (
      id TEXT PRIMARY KEY REFERENCES orgs(id), at INTEGER NOT NULL, actor TEXT)`);
    this.reload();
  }

  private reload(): void {
    const rows = this.db.prepare('SELECT id, name, level, parent_id, cidrs FROM orgs ORDER BY rowid').all() as {
      id: string;
      name: string;
      level: OrgLevel;
      parent_id: string | null;
      cidrs: string;
    }[];
    const marks = this.db.prepare('SELECT id, at, actor FROM org_deletions').all() as {
      id: string;
      at: number;
      actor: string | null;
    }[];
    this.deleted = new Map(marks.map((m) => [m.id, { at: m.at, actor: m.actor }]));
    this.everyNode = rows.map((r) => ({
      id: r.id,
      name: r.name,
      level: r.level,
      parentId: r.parent_id,
      cidrs: JSON.parse(r.cidrs),
    }));
    this.everIds = new Set(this.everyNode.map((n) => n.id));
    this.nodes = this.everyNode.filter((n) => !this.deleted.has(n.id));
    this.byId = new Map(this.nodes.map((n) => [n.id, n]));
    this.root = this.nodes.find((n) => !n.parentId)?.id;
  }

  /**
   * The installation root: the first root node created. Records without an organisation
   * (failed logins of unknown users, collectors without one) are its, and only its users
   * see them — not every root province of a shared installation.
   */
  installationRoot(): string | undefined {
    return this.root;
  }

  /** Whether a node with this id exists or ever existed (ids are never reused). */
  everUsed(id: string): boolean {
    return this.everIds.has(id);
  }

  deletedAt(id: string): number | undefined {
    return this.deleted.get(id)?.at;
  }

  all(): OrgNode[] {
    return this.nodes;
  }

  get(id: string): OrgNode | undefined {
    return this.byId.get(id);
  }

  isEmpty(): boolean {
    return this.nodes.length === 0;
  }

  /** Ids of `rootId` and everything below it, deleted nodes included (their history stays in scope). */
  subtree(rootId: string): string[] {
    return this.everUsed(rootId) ? subtreeIds(this.everyNode, rootId) : [];
  }

  /** Ids of the nodes above `id`, nearest first. */
  ancestors(id: string): string[] {
    const out: string[] = [];
    for (let n = this.byId.get(id); n?.parentId && !out.includes(n.parentId); n = this.byId.get(n.parentId))
      out.push(n.parentId);
    return out;
  }

  /** The live subtree as nodes, parents before children. */
  subtreeNodes(rootId: string): OrgNode[] {
    const ids = this.subtree(rootId).filter((id) => this.byId.has(id));
    const depth = (n: OrgNode) => (n.level === 'province' ? 0 : n.level === 'city' ? 1 : 2);
    return ids.map((id) => this.byId.get(id)!).sort((a, b) => depth(a) - depth(b) || a.id.localeCompare(b.id));
  }

  childLevel(level: OrgLevel): OrgLevel | null {
    return CHILD_LEVEL[level];
  }

  insert(n: OrgNode): OrgNode {
    this.db
      .prepare('INSERT INTO orgs (id, name, level, parent_id, cidrs) VALUES (?, ?, ?, ?, ?)')
      .run(n.id, n.name, n.level, n.parentId, JSON.stringify(n.cidrs));
    this.reload();
    return this.byId.get(n.id)!;
  }

  /** Seeds the tree on first run (parents first); does nothing when it already has nodes. */
  seed(nodes: OrgNode[]): number {
    if (!this.isEmpty()) return 0;
    const order = { province: 0, city: 1, school: 2 };
    this.db.transaction(() => {
      for (const n of [...nodes].sort((a, b) => order[a.level] - order[b.level])) {
        this.db
          .prepare('INSERT INTO orgs (id, name, level, parent_id, cidrs) VALUES (?, ?, ?, ?, ?)')
          .run(n.id, n.name, n.level, n.parentId, JSON.stringify(n.cidrs ?? []));
      }
    })();
    this.reload();
    return nodes.length;
  }

  update(id: string, patch: { name?: string; cidrs?: string[] }): OrgNode {
    const cur = this.byId.get(id)!;
    this.db
      .prepare('UPDATE orgs SET name = ?, cidrs = ? WHERE id = ?')
      .run(patch.name ?? cur.name, JSON.stringify(patch.cidrs ?? cur.cidrs), id);
    this.reload();
    return this.byId.get(id)!;
  }

  /** Soft delete: the node leaves the live tree; its row and id stay. */
  remove(id: string, actor: string | null, at: number): void {
    this.db.prepare('INSERT OR IGNORE INTO org_deletions (id, at, actor) VALUES (?, ?, ?)').run(id, at, actor);
    this.reload();
  }

  hasChildren(id: string): boolean {
    return this.nodes.some((n) => n.parentId === id);
  }
}
