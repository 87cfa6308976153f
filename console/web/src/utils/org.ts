/** The organisation list (parents first) as a tree for selectors and tables. */
export interface OrgTreeNode {
  key: string;
  label: string;
  level: Api.Common.OrgLevel;
  cidrs: string[];
  children?: OrgTreeNode[];
  [k: string]: unknown;
}

export function buildOrgTree(nodes: Api.Org.OrgNode[]): OrgTreeNode[] {
  const byId = new Map<string, OrgTreeNode>();
  for (const n of nodes) byId.set(n.id, { key: n.id, label: n.name, level: n.level, cidrs: n.cidrs });
  const roots: OrgTreeNode[] = [];
  for (const n of nodes) {
    const node = byId.get(n.id)!;
    const parent = n.parentId ? byId.get(n.parentId) : undefined;
    if (parent) (parent.children ??= []).push(node);
    else roots.push(node);
  }
  return roots;
}

/** Risk rows of one level, highest score first, each with the name of its parent. */
export function riskAtLevel(
  risk: Api.Posture.Risk[],
  level: Api.Common.OrgLevel,
): (Api.Posture.Risk & { parentName: string })[] {
  const names = new Map(risk.map((r) => [r.orgId, r.name]));
  return risk
    .filter((r) => r.level === level)
    .map((r) => ({ ...r, parentName: (r.parentId && names.get(r.parentId)) || '' }))
    .sort((a, b) => b.score - a.score || b.open - a.open);
}
