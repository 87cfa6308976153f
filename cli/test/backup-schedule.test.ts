import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackup, EventBus, EmbeddedStore, listBackups, readHistory } from '@edusentry/core';
import { configSchema } from '../src/config';
import { createContext } from '../src/context';
import { service, untilNext } from '../src/services/backup';

describe('daily backup of edusentry start', () => {
  it('waits until the configured local time of day', () => {
    expect(untilNext('02:30', new Date(2026, 11, 4, 2, 0))).toBe(30 * 60_000);
    expect(untilNext('02:30', new Date(2026, 11, 4, 3, 0))).toBe(23.5 * 3_600_000);
    expect(() => configSchema.parse({ backup: { at: '25:00' } })).toThrow(/must be HH:MM/);
  });

  it('takes a backup at backup.at and keeps the newest backup.keep, recording what it deleted', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'edusentry-daily-'));
    writeFileSync(join(dataDir, 'note.txt'), 'x');
    const dir = join(dataDir, 'backups');
    for (let i = 0; i < 2; i++)
      await createBackup({
        dataDir,
        outDir: dir,
        store: { kind: 'embedded', included: true },
        now: () => new Date(Date.UTC(2026, 0, 1 + i)),
      });
    const cfg = join(dataDir, 'edusentry.yaml');
    writeFileSync(cfg, 'backup:\n  at: "04:00"\n  keep: 2\n');
    const ctx = createContext({ config: cfg, dataDir, logLevel: 'error' });
    const eventStore = new EmbeddedStore({ path: dataDir });
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask', 'Date', 'performance'] });
    try {
      const running = await service.start({ ...ctx, bus: new EventBus(), eventStore, orgs: [] });
      expect(running.info).toBe(`daily at 04:00, keep 2, into ${dir}`);
      expect(listBackups(dir)).toHaveLength(2);
      jest.advanceTimersByTime(untilNext('04:00') + 1000);
      await running.stop();
    } finally {
      jest.useRealTimers();
      await eventStore.close();
    }
    const left = listBackups(dir);
    expect(left).toHaveLength(2);
    expect(left.map((b) => b.manifest.createdAt.slice(0, 10))).toEqual([
      '2026-01-02',
      new Date().toISOString().slice(0, 10),
    ]);
    expect(readHistory(dir).map((h) => h.action)).toEqual(['create', 'delete']);
  });
});
