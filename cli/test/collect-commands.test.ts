/**
 * Composition lives in the collector (#14 §2): the collect command files parse flags and call
 * one collector function, import no sibling command file, and `collect listen` offers exactly
 * the receivers of the collector's receiver table.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RECEIVERS } from '@edusentry/collector';
import { runCli } from './run-cli';

const COMMANDS = join(__dirname, '../src/commands');

describe('collect commands', () => {
  it('import no sibling command file', () => {
    const files = readdirSync(COMMANDS).filter((f) => f.startsWith('collect-'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    const offenders = files.filter((f) => /from '\.\/[^']+'/.test(readFileSync(join(COMMANDS, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('collect listen has one port option per receiver in the table, and names them when none is given', () => {
    const help = runCli(['collect', 'listen', '--help']).stdout;
    for (const r of RECEIVERS) expect(help).toContain(`--${r.name} <port>`);
    const none = runCli(['collect', 'listen']);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain(`give at least one of ${RECEIVERS.map((r) => `--${r.name}`).join(', ')}`);
    const bad = runCli(['collect', 'listen', '--syslog-udp', 'x']);
    expect(bad.stderr).toContain('--syslog-udp must be a port number 0-65535, not "x"');
  }, 120_000);
});
