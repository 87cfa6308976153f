/**
 * Hand-written semantic cases: each cites the Sigma v2.1 specification sentence it checks
 * (sigma-rules-specification.md, sigma-appendix-modifiers.md).
 */
import { matches, rejects } from './helpers';

const r = String.raw;

type Case = [spec: string, detection: string, event: Record<string, unknown>, expected: boolean];

const cases: Case[] = [
  // Maps and lists
  [
    '"All elements of a map are joined with a logical \'AND\'."',
    'sel: { a: x, b: y }\ncondition: sel',
    { a: 'x', b: 'y' },
    true,
  ],
  [
    '"All elements of a map are joined with a logical \'AND\'." (one missing)',
    'sel: { a: x, b: y }\ncondition: sel',
    { a: 'x', b: 'z' },
    false,
  ],
  ['"lists of values are linked with OR"', 'sel:\n  a: [x, y]\ncondition: sel', { a: 'y' }, true],
  [
    '"All map items of a list are logically linked with \'OR\'."',
    'sel:\n  - a: x\n  - b: y\ncondition: sel',
    { b: 'y' },
    true,
  ],
  [
    '"All map items of a list are logically linked with \'OR\'." (none)',
    'sel:\n  - a: x\n  - b: y\ncondition: sel',
    { a: 'y', b: 'x' },
    false,
  ],
  ['"Default Sigma behavior is case-insensitive matching."', 'sel: { a: HeLLo }\ncondition: sel', { a: 'hello' }, true],
  ['field values match exactly without wildcards', 'sel: { a: hello }\ncondition: sel', { a: 'hello world' }, false],
  ['numbers match numeric and string fields', 'sel: { a: 404 }\ncondition: sel', { a: 404 }, true],
  ['numbers match numeric and string fields', 'sel: { a: 404 }\ncondition: sel', { a: '404' }, true],
  ['nested ECS fields by dotted name', 'sel: { url.path: /x }\ncondition: sel', { url: { path: '/x' } }, true],
  ['array fields match when any element matches', 'sel: { tags: b }\ncondition: sel', { tags: ['a', 'b'] }, true],
  // Special values
  ['"An empty value is defined with \'\'"', "sel: { a: '' }\ncondition: sel", { a: '' }, true],
  ['"An empty value is defined with \'\'" (non-empty)', "sel: { a: '' }\ncondition: sel", { a: 'x' }, false],
  ['"A null value is defined with null" (absent)', 'sel: { a: null }\ncondition: sel', { b: 1 }, true],
  ['"A null value is defined with null" (present)', 'sel: { a: null }\ncondition: sel', { a: 'x' }, false],
  // Wildcards
  ['"`*` to replace an unbounded length wildcard"', 'sel: { a: "ab*ef" }\ncondition: sel', { a: 'abcdef' }, true],
  [
    '"`*` to replace an unbounded length wildcard" (empty run)',
    'sel: { a: "ab*ef" }\ncondition: sel',
    { a: 'abef' },
    true,
  ],
  [
    '"`?` to replace a single mandatory character"',
    'sel: { a: "prog?.exe" }\ncondition: sel',
    { a: 'progA.exe' },
    true,
  ],
  [
    '"`?` to replace a single mandatory character" (mandatory)',
    'sel: { a: "prog?.exe" }\ncondition: sel',
    { a: 'prog.exe' },
    false,
  ],
  [
    '"`?` to replace a single mandatory character" (single)',
    'sel: { a: "prog?.exe" }\ncondition: sel',
    { a: 'progAB.exe' },
    false,
  ],
  // Escaping
  [
    '"A wildcard has to be escaped to be handled as a plain character. eg: `\\*`"',
    r`sel: { a: 'a\*b' }` + '\ncondition: sel',
    { a: 'a*b' },
    true,
  ],
  [
    '"A wildcard has to be escaped to be handled as a plain character." (not a wildcard)',
    r`sel: { a: 'a\*b' }` + '\ncondition: sel',
    { a: 'axxb' },
    false,
  ],
  ['"eg: `\\?`"', r`sel: { a: 'what\?' }` + '\ncondition: sel', { a: 'what?' }, true],
  ['"eg: `\\?`" (not a wildcard)', r`sel: { a: 'what\?' }` + '\ncondition: sel', { a: 'whatx' }, false],
  [
    '"Plain backslash not followed by a wildcard can be expressed as single `\\`"',
    r`sel: { a: 'C:\Windows' }` + '\ncondition: sel',
    { a: r`C:\Windows` },
    true,
  ],
  ['"... or double backslash `\\\\`"', r`sel: { a: 'C:\\Windows' }` + '\ncondition: sel', { a: r`C:\Windows` }, true],
  [
    '"The backslash before a wildcard has to be escaped ...: `\\\\*`" (backslash then wildcard)',
    r`sel: { a: 'dir\\*' }` + '\ncondition: sel',
    { a: r`dir\anything` },
    true,
  ],
  [
    '"Three backslashes ... handle them as plain values: `\\\\\\*`"',
    r`sel: { a: 'dir\\\*' }` + '\ncondition: sel',
    { a: r`dir\*` },
    true,
  ],
  [
    '"Three backslashes ... plain values" (no wildcard)',
    r`sel: { a: 'dir\\\*' }` + '\ncondition: sel',
    { a: r`dir\x` },
    false,
  ],
  [
    '"`\\\\\\\\` results in the plain value `\\\\`"',
    r`sel: { a: 'a\\\\b' }` + '\ncondition: sel',
    { a: r`a\\b` },
    true,
  ],
  // Generic modifiers
  [
    '"`contains`: Puts `*` wildcards around the values"',
    'sel: { a|contains: needle }\ncondition: sel',
    { a: 'hayNEEDLEstack' },
    true,
  ],
  [
    '"`startswith`: The value is expected at the beginning"',
    'sel: { a|startswith: adm }\ncondition: sel',
    { a: 'Administrator' },
    true,
  ],
  ['"`startswith`" (not at the start)', 'sel: { a|startswith: adm }\ncondition: sel', { a: 'xadm' }, false],
  [
    '"`endswith`: The value is expected at the end"',
    r`sel: { a|endswith: '\cmd.exe' }` + '\ncondition: sel',
    { a: r`C:\Windows\cmd.exe` },
    true,
  ],
  ['"`all`: ... changes this to AND"', 'sel:\n  a|contains|all: [x, y]\ncondition: sel', { a: 'x-y' }, true],
  [
    '"`all`: ... changes this to AND" (one missing)',
    'sel:\n  a|contains|all: [x, y]\ncondition: sel',
    { a: 'x-z' },
    false,
  ],
  ['"`exists`: Defines that a certain field has to exist"', 'sel: { a|exists: true }\ncondition: sel', { a: '' }, true],
  ['"... or must not exist"', 'sel: { a|exists: false }\ncondition: sel', { a: 'x' }, false],
  ['"... not its value, be it empty or null"', 'sel: { a|exists: true }\ncondition: sel', { a: null }, true],
  ['"`cased`: Values are applied case sensitively."', 'sel: { a|cased: Hello }\ncondition: sel', { a: 'hello' }, false],
  [
    '"`cased`: Values are applied case sensitively." (same case)',
    'sel: { a|cased: Hello }\ncondition: sel',
    { a: 'Hello' },
    true,
  ],
  [
    '"`neq`: The field is different from the specified values."',
    'sel:\n  a|neq: [x, y]\ncondition: sel',
    { a: 'z' },
    true,
  ],
  [
    '"`neq`: The field is different from the specified values." (equal)',
    'sel:\n  a|neq: [x, y]\ncondition: sel',
    { a: 'y' },
    false,
  ],
  ['"`neq` ... can be used with string or number"', 'sel: { a|neq: 5 }\ncondition: sel', { a: 5 }, false],
  // String modifiers
  [
    '"`windash`: Creates all possible permutations of the `-`, `/` ..."',
    'sel: { a|windash|contains: " -enc " }\ncondition: sel',
    { a: 'ps /enc x' },
    true,
  ],
  ['"`windash`" (en dash)', 'sel: { a|windash|contains: " -enc " }\ncondition: sel', { a: 'ps \u2013enc x' }, true],
  ['"`windash`" (unrelated char)', 'sel: { a|windash|contains: " -enc " }\ncondition: sel', { a: 'ps +enc x' }, false],
  [
    '"`re`: ... Regex is matched case-sensitive by default."',
    "sel: { a|re: '^Ab+c$' }\ncondition: sel",
    { a: 'abbc' },
    false,
  ],
  ['"`re`" (match)', "sel: { a|re: '^Ab+c$' }\ncondition: sel", { a: 'Abbc' }, true],
  ['"`re`" matches anywhere unless anchored', "sel: { a|re: 'b+c' }\ncondition: sel", { a: 'xxbbcxx' }, true],
  [
    '"`i`: (insensitive) to enable case-insensitive matching."',
    "sel: { a|re|i: '^ab+c$' }\ncondition: sel",
    { a: 'ABBC' },
    true,
  ],
  [
    '"`m`: (multi line) ... `^` /`$` match the start/end of line."',
    "sel: { a|re|m: '^two$' }\ncondition: sel",
    { a: 'one\ntwo\nthree' },
    true,
  ],
  ['"`m`" (without m, ^ is start of text)', "sel: { a|re: '^two$' }\ncondition: sel", { a: 'one\ntwo\nthree' }, false],
  [
    '"`s`: ... dot (`.`) matches all characters, including the newline"',
    "sel: { a|re|s: 'one.two' }\ncondition: sel",
    { a: 'one\ntwo' },
    true,
  ],
  ['"`s`" (without s)', "sel: { a|re: 'one.two' }\ncondition: sel", { a: 'one\ntwo' }, false],
  // Encoding
  ['"`base64`: The value is encoded with Base64."', 'sel: { a|base64: "cmd" }\ncondition: sel', { a: 'Y21k' }, true],
  [
    '"`base64offset`: ... three variants for shifts by zero to two bytes" (offset 0)',
    'sel: { a|base64offset|contains: "http://" }\ncondition: sel',
    { a: Buffer.from('http://x').toString('base64') },
    true,
  ],
  [
    '"`base64offset`" (offset 1)',
    'sel: { a|base64offset|contains: "http://" }\ncondition: sel',
    { a: Buffer.from('.http://x').toString('base64') },
    true,
  ],
  [
    '"`base64offset`" (offset 2)',
    'sel: { a|base64offset|contains: "http://" }\ncondition: sel',
    { a: Buffer.from('..http://x').toString('base64') },
    true,
  ],
  [
    '"`base64offset`" (absent)',
    'sel: { a|base64offset|contains: "http://" }\ncondition: sel',
    { a: Buffer.from('..ftp://x').toString('base64') },
    false,
  ],
  [
    '"`utf16le`: Transforms value to UTF16-LE encoding"',
    'sel: { a|utf16le|base64offset|contains: "cmd" }\ncondition: sel',
    { a: Buffer.from('run cmd now', 'utf16le').toString('base64') },
    true,
  ],
  [
    '"`wide`: an alias for the `utf16le` modifier."',
    'sel: { a|wide|base64: "cmd" }\ncondition: sel',
    { a: Buffer.from('cmd', 'utf16le').toString('base64') },
    true,
  ],
  [
    '"`utf16be`: ... `cmd` > `00 63 00 6d 00 64`"',
    'sel: { a|utf16be|base64: "cmd" }\ncondition: sel',
    { a: Buffer.from([0, 0x63, 0, 0x6d, 0, 0x64]).toString('base64') },
    true,
  ],
  [
    '"`utf16`: Prepends a byte order mark ... `FF FE 63 00 6d 00 64 00`"',
    'sel: { a|utf16|base64: "cmd" }\ncondition: sel',
    { a: Buffer.from([0xff, 0xfe, 0x63, 0, 0x6d, 0, 0x64, 0]).toString('base64') },
    true,
  ],
  // Numeric modifiers
  ['"`lt`: Field is less than the value"', 'sel: { a|lt: 10 }\ncondition: sel', { a: 9 }, true],
  ['"`lt`" (equal)', 'sel: { a|lt: 10 }\ncondition: sel', { a: 10 }, false],
  ['"`lte`: Field is less or equal than the value"', 'sel: { a|lte: 10 }\ncondition: sel', { a: '10' }, true],
  ['"`gt`: Field is greater than the value"', 'sel: { a|gt: 10 }\ncondition: sel', { a: 11 }, true],
  ['"`gte`: Field is greater or equal than the value"', 'sel: { a|gte: 10 }\ncondition: sel', { a: 9 }, false],
  ['numeric modifiers never match a non-number', 'sel: { a|gt: 10 }\ncondition: sel', { a: 'abc' }, false],
  // Time modifiers
  ['"`hour`: number between 0 and 23."', 'sel: { t|hour: 3 }\ncondition: sel', { t: '2026-05-04T03:15:00Z' }, true],
  [
    '"`minute`: number between 0 and 59."',
    'sel: { t|minute: 15 }\ncondition: sel',
    { t: '2026-05-04T03:15:00Z' },
    true,
  ],
  ['"`day`: number between 1 and 31."', 'sel: { t|day: 4 }\ncondition: sel', { t: '2026-05-04T03:15:00Z' }, true],
  [
    '"`week`: number between 1 and 52." (ISO week)',
    'sel: { t|week: 19 }\ncondition: sel',
    { t: '2026-05-04T03:15:00Z' },
    true,
  ],
  ['"`month`: number between 1 and 12."', 'sel: { t|month: 5 }\ncondition: sel', { t: '2026-05-04T03:15:00Z' }, true],
  ['"`year`: number of the year"', 'sel: { t|year: 2025 }\ncondition: sel', { t: '2026-05-04T03:15:00Z' }, false],
  [
    'time modifiers combine with numeric ones',
    'sel: { t|hour|gte: 22 }\ncondition: sel',
    { t: '2026-05-04T23:00:00Z' },
    true,
  ],
  // IP
  [
    '"`cidr`: ... Supports both IPv4 and IPv6 notations." (v4 in)',
    'sel: { ip|cidr: 10.0.0.0/8 }\ncondition: sel',
    { ip: '10.20.30.40' },
    true,
  ],
  ['"`cidr`" (v4 out)', 'sel: { ip|cidr: 10.0.0.0/8 }\ncondition: sel', { ip: '11.0.0.1' }, false],
  ['"`cidr`" (v6 in)', "sel: { ip|cidr: '2001:db8::/32' }\ncondition: sel", { ip: '2001:db8:1::5' }, true],
  ['"`cidr`" (v6 out)', "sel: { ip|cidr: '2001:db8::/32' }\ncondition: sel", { ip: '2001:db9::5' }, false],
  // Specific
  [
    '"`expand`: Modifier for expansion of placeholders in values."',
    "sel: { user|expand: '%Administrators%' }\ncondition: sel",
    { user: 'root' },
    true,
  ],
  [
    '"`fieldref`: ... compare fields of matched events directly"',
    'sel: { a|fieldref: b }\ncondition: sel',
    { a: 'X', b: 'x' },
    true,
  ],
  ['"`fieldref`" (different)', 'sel: { a|fieldref: b }\ncondition: sel', { a: 'x', b: 'y' }, false],
  [
    '"`fieldref`... Can be combined with the `neq` modifier."',
    'sel: { a|fieldref|neq: b }\ncondition: sel',
    { a: 'x', b: 'y' },
    true,
  ],
  // Keywords
  [
    '"Contrary to the Field Usage, It\'s a matter of searching for keywords across an entire event."',
    "keywords:\n  - 'event::clear'\n  - 'event::drop'\ncondition: keywords",
    { message: 'mimikatz event::drop now' },
    true,
  ],
  [
    'keywords search nested values too',
    "keywords:\n  - 'evil'\ncondition: keywords",
    { url: { original: '/EVIL.php' } },
    true,
  ],
  [
    '"To have a **and** operator , we use the `\'|all\':` modifier"',
    "keywords:\n  '|all':\n    - 'Oab'\n    - ' -ExternalUrl '\ncondition: keywords",
    { message: 'Set-Oab -ExternalUrl x' },
    true,
  ],
  [
    '"`\'|all\':`" (one missing)',
    "keywords:\n  '|all':\n    - 'Oab'\n    - ' -ExternalUrl '\ncondition: keywords",
    { message: 'Set-Oab x' },
    false,
  ],
  // Conditions
  ['"Logical AND/OR"', 'a: { x: 1 }\nb: { y: 2 }\ncondition: a and b', { x: 1, y: 2 }, true],
  ['"Negation with \'not\'"', 'a: { x: 1 }\nb: { y: 2 }\ncondition: a and not b', { x: 1, y: 2 }, false],
  [
    '"Operator Precedence ...: or, and, not" (a or b and c = a or (b and c))',
    'a: { x: 1 }\nb: { y: 2 }\nc: { z: 3 }\ncondition: a or b and c',
    { x: 1 },
    true,
  ],
  [
    '"Operator Precedence" (not binds tighter than and)',
    'a: { x: 1 }\nb: { y: 2 }\ncondition: not a and b',
    { x: 1, y: 2 },
    false,
  ],
  ['"Brackets" change precedence', 'a: { x: 1 }\nb: { y: 2 }\nc: { z: 3 }\ncondition: (a or b) and c', { x: 1 }, false],
  ['"`1 of selection*`"', 'selection1: { x: 1 }\nselection2: { y: 2 }\ncondition: 1 of selection*', { y: 2 }, true],
  [
    '"`all of selection*`"',
    'selection1: { x: 1 }\nselection2: { y: 2 }\ncondition: all of selection*',
    { y: 2 },
    false,
  ],
  [
    '"`1 of them` means that one of the defined search identifiers must appear."',
    'a: { x: 1 }\nb: { y: 2 }\ncondition: 1 of them',
    { y: 2 },
    true,
  ],
  [
    '"A search identifier `_example` wouldn\'t be included" (all of them ignores _x)',
    'a: { x: 1 }\n_b: { y: 2 }\ncondition: all of them',
    { x: 1 },
    true,
  ],
  [
    '"`1 of selection* and not 1 of filter*`"',
    'selection: { x: 1 }\nfilter1: { y: 2 }\ncondition: 1 of selection* and not 1 of filter*',
    { x: 1, y: 2 },
    false,
  ],
  [
    '"The condition can be a list ... They are logically linked with OR."',
    'a: { x: 1 }\nb: { y: 2 }\ncondition:\n  - a\n  - b',
    { y: 2 },
    true,
  ],
];

describe('Sigma v2.1 detection semantics', () => {
  it.each(cases)('%s', (_spec, detection, event, expected) => {
    expect(matches(detection, event, { Administrators: ['root', 'admin*'] })).toBe(expected);
  });
});

describe('rejected with a reason', () => {
  it('"If the tool isn\'t able to handle placeholders, it must reject the rule."', () => {
    expect(rejects("sel: { user|expand: '%Servers%' }\ncondition: sel")).toMatch(
      /placeholder %Servers% is not configured/,
    );
  });
  it('RE2 cannot express a back-reference: rejected, not run on a backtracking engine', () => {
    expect(rejects("sel: { a|re: '(a)\\1' }\ncondition: sel")).toMatch(/not supported by RE2/);
  });
  it('an unknown modifier names itself', () => {
    expect(rejects('sel: { a|bogus: x }\ncondition: sel')).toMatch(/unknown modifier "bogus"/);
  });
  it('a condition naming an unknown identifier', () => {
    expect(rejects('sel: { a: x }\ncondition: sel and other')).toMatch(/unknown search identifier "other"/);
  });
  it('legacy v1 aggregations point to correlations', () => {
    expect(rejects('sel: { a: x }\ncondition: sel | count() > 5')).toMatch(/correlation rule/);
  });
});
