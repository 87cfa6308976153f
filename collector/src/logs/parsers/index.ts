/** The device parsers and how one is chosen for a line. */
import { apache, nginx } from './access-log';
import { ciscoAsa } from './cisco-asa';
import { fortigate } from './fortigate';
import { h3cSecpath } from './h3c-secpath';
import { hillstone } from './hillstone';
import { huaweiUsg } from './huawei-usg';
import { iptables } from './iptables';
import { pfsenseFilterlog } from './pfsense-filterlog';
import { radiusAccounting } from './radius-accounting';
import { sangforAf } from './sangfor-af';
import type { DeviceParser, ParsedLog } from './types';
import { webPortal } from './web-portal';

export type { DeviceParser, ParsedLog, Binding } from './types';

/** In the order content detection tries them: most specific first. */
export const PARSERS: DeviceParser[] = [
  huaweiUsg,
  h3cSecpath,
  sangforAf,
  hillstone,
  ciscoAsa,
  fortigate,
  pfsenseFilterlog,
  iptables,
  radiusAccounting,
  webPortal,
  nginx,
  apache,
];

export function parserByName(name: string): DeviceParser | undefined {
  return PARSERS.find((p) => p.name === name.toLowerCase());
}

export interface ParserSelection {
  /** Source address → parser name (from configuration). */
  bySource?: Record<string, string>;
  /** Forced parser (collect file --parser). */
  forced?: DeviceParser;
}

/** The parser for a line: forced, by source, by program name, then by content. */
export function selectParser(
  message: string,
  source: string | undefined,
  program: string | undefined,
  sel: ParserSelection = {},
): DeviceParser | undefined {
  if (sel.forced) return sel.forced;
  const named = source && sel.bySource?.[source];
  if (named) {
    const p = parserByName(named);
    if (p) return p;
  }
  if (program) {
    const prog = program.toLowerCase();
    const p = PARSERS.find((x) => x.programs?.includes(prog) && x.matches(message));
    if (p) return p;
  }
  return PARSERS.find((p) => p.matches(message));
}

export function parseDeviceLine(
  message: string,
  source?: string,
  program?: string,
  sel?: ParserSelection,
): { parser?: DeviceParser; parsed?: ParsedLog } {
  const parser = selectParser(message, source, program, sel);
  if (!parser) return {};
  try {
    return { parser, parsed: parser.parse(message) };
  } catch {
    return { parser };
  }
}
