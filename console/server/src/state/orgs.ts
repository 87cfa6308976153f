/** The organisation tree (province → city → school with campus CIDRs), cached in memory. */
import { subtreeIds, type OrgLevel, type OrgNode } from '@edusentry/core';
import type { Db } from './db';

const CHILD_LEVEL: Record<OrgLevel, OrgLevel | null> = { province: 'city', city: 'school', school: null };

export class OrgTree {
  private nodes: OrgNode[] = [];
  private byId = new Map<string, OrgNode>();

  constructor(private readonly db: Db) {
    this.reload();
  }

  private reload(): void {
    const rows = this.db.prepare('SELECT id, name, level, parent_id, cidrs FROM orgs').all() as {
      id: string;
      name: string;
      level: OrgLevel;
      parent_id: string | null;
      cidrs: string;
    }[];
    this.nodes = rows.map((r) => ({
      id: r.id,
      name: r.name,
      level: r.level,
      parentId: r.parent_id,
      cidrs: JSON.parse(r.cidrs),
    }));
    this.byId = new Map(this.nodes.map((n) => [n.id, n]));
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

  /** Ids of `rootId` and everything below it. */
  subtree(rootId: string): string[] {
    return this.byId.has(rootId) ? subtreeIds(this.nodes, rootId) : [];
  }

  /** Ids of the nodes above `id`, nearest first. */
  ancestors(id: string): string[] {
    const out: string[] = [];
    for (let n = this.byId.get(id); n?.parentId && !out.includes(n.parentId); n = this.byId.get(n.parentId))
      out.push(n.parentId);
    return out;
  }

  /** The subtree as nodes, parents before children. */
  subtreeNodes(rootId: string): OrgNode[] {
    const ids = this.subtree(rootId);
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

  remove(id: string): void {
    this.db.prepare('DELETE FROM orgs WHERE id = ?').run(id);
    this.reload();
  }

  hasChildren(id: string): boolean {
    return this.nodes.some((n) => n.parentId === id);
  }
}
