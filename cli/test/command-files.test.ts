import { commandFiles } from '../src/main';
import { runCli } from './run-cli';

const FILES = ['analyze.ts', 'collect-file.ts', 'collect-pcap.ts', 'console.ts', 'store.ts'];

describe('command files loaded for a run', () => {
  it('loads only the files of the named command', () => {
    expect(commandFiles(FILES, ['collect', 'pcap', 'x.pcap', '--ndjson'])).toEqual(['collect-pcap.ts']);
    expect(commandFiles(FILES, ['collect', '--help'])).toEqual(['collect-file.ts', 'collect-pcap.ts']);
    expect(commandFiles(FILES, ['store', 'stats'])).toEqual(['store.ts']);
  });

  it('loads every file without a command word or for an unknown command', () => {
    expect(commandFiles(FILES, ['--help'])).toEqual(FILES);
    expect(commandFiles(FILES, ['--config', 'x.yaml', 'store'])).toEqual(FILES);
    expect(commandFiles(FILES, ['collect', 'bogus'])).toEqual(FILES);
    expect(commandFiles(FILES)).toEqual(FILES);
  });

  it('still lists every command in --help and every subcommand in `collect --help`', () => {
    const top = runCli(['--help']);
    for (const c of ['analyze', 'collect', 'console', 'sigma', 'start', 'store']) expect(top.stdout).toContain(c);
    const collect = runCli(['collect', '--help']);
    for (const c of ['pcap', 'live', 'file']) expect(collect.stdout).toMatch(new RegExp(`\\b${c}\\b`));
  });
});
