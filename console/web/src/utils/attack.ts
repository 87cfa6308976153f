/**
 * ATT&CK tactic names for display. The analyzer stores a tactic as the slug of its sigma tag
 * (`attack.credential-access` → "credential-access"); older or imported alerts may carry the
 * title ("Credential Access"). Both find the translation in the locale's `attack.tactic`; an
 * unknown name is shown as it is.
 */
export const TACTICS = [
  'reconnaissance',
  'resource-development',
  'initial-access',
  'execution',
  'persistence',
  'privilege-escalation',
  'defense-evasion',
  'credential-access',
  'discovery',
  'lateral-movement',
  'collection',
  'command-and-control',
  'exfiltration',
  'impact',
] as const;

export function tacticSlug(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
}

/** The tactic's name in the current language, given vue-i18n's t and te. */
export function tacticLabel(name: string, t: (key: string) => string, te: (key: string) => boolean): string {
  const key = `attack.tactic.${tacticSlug(name)}`;
  return te(key) ? t(key) : name;
}
