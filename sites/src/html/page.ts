/**
 * One HTML page as the content checks see it: title, visible text blocks, the tag sequence,
 * external resources, and every link with the CSS techniques (inline, <style> rules, inherited)
 * that hide it from a visitor. Links written by scripts (document.write / innerHTML /
 * insertAdjacentHTML of a string literal) are read from the literal. htmlparser2 is a streaming
 * tokenizer, so malformed or deeply nested markup costs a stack of frames, never recursion.
 */
import { Parser } from 'htmlparser2';
import { backgroundColor, matches, normColor, parseDecls, parseStyleSheet, px, type CssRule, type Decls } from './css';

export type HidingTechnique =
  | 'display_none'
  | 'visibility_hidden'
  | 'opacity_zero'
  | 'zero_size'
  | 'overflow_hidden'
  | 'offscreen'
  | 'same_color'
  | 'zero_font'
  | 'marquee'
  | 'hidden_attr'
  | 'script_write';

export interface PageLink {
  href: string;
  text: string;
  /** Why a visitor does not see it (empty: visible). */
  hidden: HidingTechnique[];
  fromScript: boolean;
}

export interface PageAnalysis {
  title: string;
  /** Visible text, one entry per block element, whitespace collapsed. */
  textBlocks: string[];
  /** All text, hidden included (personal data hides there too). */
  allText: string;
  /** Element names in document order (first MAX_STRUCTURE). */
  structure: string[];
  scripts: string[];
  iframes: string[];
  images: string[];
  links: PageLink[];
  /** The markup nested deeper than MAX_DEPTH: analysed up to there. */
  truncatedAt?: number;
}

const MAX_STRUCTURE = 20_000;
/** Open elements at once. htmlparser2 keeps its stack with unshift (quadratic in depth), so deeper markup is cut. */
const MAX_DEPTH = 1_000;
const VOID = new Set('area base br col embed hr img input link meta param source track wbr'.split(' '));

/** Where the markup first nests deeper than `max` (by a linear scan of tags), or undefined. */
export function depthCut(html: string, max = MAX_DEPTH): number | undefined {
  const re = /<(\/?)([a-zA-Z][\w-]*)[^>]*?(\/?)>/g;
  let depth = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(html))) {
    if (m[1]) depth = Math.max(0, depth - 1);
    else if (!m[3] && !VOID.has(m[2].toLowerCase())) {
      if (++depth > max) return m.index;
    }
  }
  return undefined;
}
const MAX_LINKS = 5_000;
const BLOCKS = new Set(
  'p div li ul ol h1 h2 h3 h4 h5 h6 td th tr table section article header footer nav aside br hr dt dd form blockquote pre title body'.split(
    ' ',
  ),
);
const RAW_TEXT = new Set(['script', 'style', 'noscript', 'template', 'textarea']);

interface Frame {
  tag: string;
  hidden: HidingTechnique[];
  color?: string;
  bg?: string;
}

function techniques(tag: string, attrs: Record<string, string>, d: Decls, parent: Frame): HidingTechnique[] {
  const t: HidingTechnique[] = [];
  if (d.display === 'none') t.push('display_none');
  if (d.visibility === 'hidden' || d.visibility === 'collapse') t.push('visibility_hidden');
  if (d.opacity !== undefined && Number(d.opacity) === 0) t.push('opacity_zero');
  if (px(d['font-size']) === 0) t.push('zero_font');
  if ('hidden' in attrs) t.push('hidden_attr');
  // A marquee's own size attributes are its trick (below), not a second technique.
  const w = px(d.width ?? (tag === 'marquee' ? undefined : attrs.width));
  const h = px(d.height ?? (tag === 'marquee' ? undefined : attrs.height));
  const clip = d.overflow === 'hidden' || d['overflow-y'] === 'hidden' || d['overflow-x'] === 'hidden';
  if (w !== undefined && h !== undefined && w <= 1 && h <= 1) t.push('zero_size');
  else if (clip && ((h !== undefined && h <= 1) || (w !== undefined && w <= 1))) t.push('overflow_hidden');
  const pos = d.position;
  const far = (v: string | undefined) => (px(v) ?? 0) <= -500;
  if (
    ((pos === 'absolute' || pos === 'fixed' || pos === 'relative') && (far(d.left) || far(d.top))) ||
    far(d['text-indent'])
  )
    t.push('offscreen');
  if (tag === 'marquee') {
    const mw = px(attrs.width ?? d.width);
    const mh = px(attrs.height ?? d.height);
    if ((mw !== undefined && mw <= 5) || (mh !== undefined && mh <= 5) || Number(attrs.scrollamount ?? 0) >= 1000)
      t.push('marquee');
  }
  const color = normColor(d.color) ?? parent.color;
  const bg = backgroundColor(d) ?? parent.bg ?? '#ffffff';
  if (color && color === bg && (d.color || backgroundColor(d))) t.push('same_color');
  return t;
}

function absolute(href: string, base: URL): string | undefined {
  try {
    return new URL(href.trim(), base).toString();
  } catch {
    return undefined;
  }
}

/** String literals a script writes into the page as HTML. */
export function scriptWrittenHtml(js: string): string[] {
  const out: string[] = [];
  const sink =
    /(?:document\.write(?:ln)?\s*\(|\.innerHTML\s*\+?=|\.outerHTML\s*=|insertAdjacentHTML\s*\(\s*(['"])[\w-]+\1\s*,)/g;
  let m: RegExpExecArray | null;
  while ((m = sink.exec(js))) {
    let i = m.index + m[0].length;
    let html = '';
    // A concatenation of literals: 'a' + "b" + 'c'
    for (;;) {
      while (/\s|\+/.test(js[i] ?? '')) i++;
      const q = js[i];
      if (q !== '"' && q !== "'" && q !== '`') break;
      let j = i + 1;
      let s = '';
      while (j < js.length && js[j] !== q) {
        if (js[j] === '\\') {
          const n = js[j + 1];
          if (n === 'x') {
            s += String.fromCharCode(parseInt(js.slice(j + 2, j + 4), 16));
            j += 4;
          } else if (n === 'u') {
            s += String.fromCharCode(parseInt(js.slice(j + 2, j + 6), 16));
            j += 6;
          } else {
            s += n === 'n' ? '\n' : (n ?? '');
            j += 2;
          }
        } else s += js[j++];
      }
      html += s;
      i = j + 1;
    }
    if (html.includes('<')) out.push(html);
  }
  return out;
}

export function analyzePage(markup: string, baseUrl: string, fromScript = false, inherited?: Frame): PageAnalysis {
  const base = new URL(baseUrl);
  const cut = depthCut(markup);
  const html = cut === undefined ? markup : markup.slice(0, cut);
  const rules: CssRule[] = [];
  for (const m of html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/gi)) rules.push(...parseStyleSheet(m[1]));
  const out: PageAnalysis = {
    title: '',
    textBlocks: [],
    allText: '',
    structure: [],
    scripts: [],
    iframes: [],
    images: [],
    links: [],
  };
  const root: Frame = inherited ?? { tag: '#root', hidden: [] };
  const stack: Frame[] = [root];
  let block = '';
  const all: string[] = [];
  let raw: string | undefined;
  let rawText = '';
  let inTitle = false;
  let link: { href: string; text: string; hidden: HidingTechnique[] } | undefined;
  const flush = () => {
    const t = block.replace(/\s+/g, ' ').trim();
    if (t) out.textBlocks.push(t);
    block = '';
  };
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        const tag = name.toLowerCase();
        if (out.structure.length < MAX_STRUCTURE) out.structure.push(tag);
        if (BLOCKS.has(tag)) flush();
        const parent = stack[stack.length - 1];
        const classes = (attrs.class ?? '').split(/\s+/).filter(Boolean);
        let decls: Decls = {};
        for (const r of rules) if (matches(r.selector, tag, attrs.id, classes)) decls = { ...decls, ...r.decls };
        if (attrs.style) decls = { ...decls, ...parseDecls(attrs.style) };
        const own = techniques(tag, attrs, decls, parent);
        const frame: Frame = {
          tag,
          hidden: own.length ? [...new Set([...parent.hidden, ...own])] : parent.hidden,
          color: normColor(decls.color) ?? parent.color,
          bg: backgroundColor(decls) ?? parent.bg,
        };
        stack.push(frame);
        if (RAW_TEXT.has(tag)) {
          raw = tag;
          rawText = '';
        }
        if (tag === 'title') inTitle = true;
        const src = attrs.src ? absolute(attrs.src, base) : undefined;
        if (src && tag === 'script') out.scripts.push(src);
        if (src && (tag === 'iframe' || tag === 'frame' || tag === 'embed')) out.iframes.push(src);
        if (src && tag === 'img') out.images.push(src);
        if (tag === 'a' && attrs.href !== undefined && out.links.length < MAX_LINKS) {
          const href = absolute(attrs.href, base);
          if (href) link = { href, text: '', hidden: fromScript ? [...frame.hidden, 'script_write'] : frame.hidden };
        }
      },
      ontext(text) {
        if (raw) {
          if (raw === 'script' && rawText.length < 1_000_000) rawText += text;
          return;
        }
        if (inTitle) out.title += text;
        if (link) link.text += text;
        all.push(text);
        if (stack[stack.length - 1].hidden.length === 0) block += text;
      },
      onclosetag(name) {
        const tag = name.toLowerCase();
        if (tag === raw) {
          if (tag === 'script' && !fromScript) {
            for (const written of scriptWrittenHtml(rawText)) {
              const sub = analyzePage(written, baseUrl, true, stack[stack.length - 2] ?? root);
              out.links.push(...sub.links.slice(0, MAX_LINKS - out.links.length));
              out.scripts.push(...sub.scripts);
              out.iframes.push(...sub.iframes);
              all.push(sub.allText);
            }
          }
          raw = undefined;
        }
        if (tag === 'title') inTitle = false;
        if (tag === 'a' && link) {
          out.links.push({ ...link, text: link.text.replace(/\s+/g, ' ').trim(), fromScript });
          link = undefined;
        }
        if (BLOCKS.has(tag)) flush();
        // Pop to the matching frame; htmlparser2 closes implied elements itself.
        for (let i = stack.length - 1; i > 0; i--) {
          if (stack[i].tag === tag) {
            stack.length = i;
            break;
          }
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, recognizeSelfClosing: true },
  );
  parser.write(html);
  parser.end();
  if (link) out.links.push({ ...link, text: link.text.replace(/\s+/g, ' ').trim(), fromScript });
  flush();
  out.title = out.title.replace(/\s+/g, ' ').trim();
  out.allText = all.join(' ');
  if (cut !== undefined) out.truncatedAt = cut;
  return out;
}
