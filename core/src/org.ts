/** The organisation tree: province → city → school. Every query and write is scoped by it. */
export type OrgLevel = 'province' | 'city' | 'school';

export interface OrgNode {
  id: string;
  name: string;
  level: OrgLevel;
  parentId: string | null;
  /** Campus address ranges (schools), used to tag events and set network.direction. */
  cidrs: string[];
}

/** Ids of `rootId` and every node below it. */
export function subtreeIds(nodes: OrgNode[], rootId: string): string[] {
  const children = new Map<string | null, OrgNode[]>();
  for (const n of nodes) children.set(n.parentId, [...(children.get(n.parentId) ?? []), n]);
  const out: string[] = [];
  const stack = [rootId];
  while (stack.length) {
    const id = stack.pop()!;
    out.push(id);
    for (const c of children.get(id) ?? []) stack.push(c.id);
  }
  return out;
}
