/**
 * The little CSS the dark-link check needs: declarations of a style attribute, and the rules of
 * <style> blocks whose last compound selector (tag, #id, .class) can be matched on one element.
 * State-dependent rules (:hover, :focus, ...) are left out: a menu shown on hover is not hidden.
 */
export type Decls = Record<string, string>;

export function parseDecls(text: string): Decls {
  const out: Decls = {};
  for (const part of text.replace(/\/\*[\s\S]*?\*\//g, '').split(';')) {
    const i = part.indexOf(':');
    if (i <= 0) continue;
    const prop = part.slice(0, i).trim().toLowerCase();
    const value = part
      .slice(i + 1)
      .replace(/!important/i, '')
      .trim()
      .toLowerCase();
    if (prop && value) out[prop] = value;
  }
  return out;
}

export interface Compound {
  tag?: string;
  id?: string;
  classes: string[];
}

export interface CssRule {
  selector: Compound;
  decls: Decls;
}

function parseCompound(sel: string): Compound | undefined {
  const last =
    sel
      .trim()
      .split(/[\s>+~]+/)
      .pop() ?? '';
  if (!last || /[:[*]/.test(last)) return undefined;
  const m = /^([a-z][a-z0-9-]*)?((?:[#.][\w-]+)*)$/i.exec(last);
  if (!m) return undefined;
  const c: Compound = { tag: m[1]?.toLowerCase(), classes: [] };
  for (const part of m[2].match(/[#.][\w-]+/g) ?? []) {
    if (part[0] === '#') c.id = part.slice(1);
    else c.classes.push(part.slice(1));
  }
  return c.tag || c.id || c.classes.length ? c : undefined;
}

/** Rules of a style sheet, innermost blocks (an @media block's rules are taken as they are). */
export function parseStyleSheet(css: string): CssRule[] {
  const rules: CssRule[] = [];
  const text = css.replace(/\/\*[\s\S]*?\*\//g, '');
  const re = /([^{}]+)\{([^{}]*)\}/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const selectors = m[1].trim();
    if (selectors.startsWith('@')) continue;
    const decls = parseDecls(m[2]);
    if (!Object.keys(decls).length) continue;
    for (const s of selectors.split(',')) {
      const selector = parseCompound(s);
      if (selector) rules.push({ selector, decls });
    }
  }
  return rules;
}

export function matches(c: Compound, tag: string, id: string | undefined, classes: string[]): boolean {
  if (c.tag && c.tag !== tag) return false;
  if (c.id && c.id !== id) return false;
  return c.classes.every((k) => classes.includes(k));
}

const NAMED: Record<string, string> = {
  white: '#ffffff',
  black: '#000000',
  red: '#ff0000',
  green: '#008000',
  blue: '#0000ff',
  yellow: '#ffff00',
  gray: '#808080',
  grey: '#808080',
  silver: '#c0c0c0',
};

/** A colour as #rrggbb when it can be read (hex, rgb(), a few names); undefined otherwise. */
export function normColor(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const s = v.trim().toLowerCase();
  if (NAMED[s]) return NAMED[s];
  let m = /^#([0-9a-f]{3})$/.exec(s);
  if (m)
    return (
      '#' +
      m[1]
        .split('')
        .map((c) => c + c)
        .join('')
    );
  m = /^#([0-9a-f]{6})$/.exec(s);
  if (m) return s;
  const r = /^rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)/.exec(s);
  if (r) return '#' + [r[1], r[2], r[3]].map((x) => Number(x).toString(16).padStart(2, '0')).join('');
  return undefined;
}

/** The colour in a `background` shorthand, if any. */
export function backgroundColor(d: Decls): string | undefined {
  if (d['background-color']) return normColor(d['background-color']);
  if (!d.background) return undefined;
  for (const tok of d.background.split(/\s+(?![^(]*\))/)) {
    const c = normColor(tok);
    if (c) return c;
  }
  return undefined;
}

/** A length in px when it is a plain px/pt/em/unitless number (em at 16 px); undefined otherwise. */
export function px(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^(-?\d*\.?\d+)(px|pt|em|rem|%)?$/.exec(v.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (m[2] === '%') return n === 0 ? 0 : undefined;
  return m[2] === 'em' || m[2] === 'rem' ? n * 16 : n;
}
