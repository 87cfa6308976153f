/**
 * Reads log files line by line; with follow, keeps reading as they grow, survives
 * rotation (a new file at the path: the old one is read to its end first) and
 * truncation (read again from the start), and remembers its position per path in a
 * state file so a restart continues where it stopped.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';

interface Position {
  ino: number;
  offset: number;
}

export interface FollowOptions {
  follow: boolean;
  /** JSON file remembering positions (under the data directory). */
  stateFile?: string;
  pollMs?: number;
  onLines: (lines: string[], path: string) => Promise<void>;
  /** After each chunk read: how far into the file (bytes) and its size, for a progress bar. */
  onProgress?: (path: string, offset: number, size: number) => void;
  signal?: AbortSignal;
}

export async function followFiles(paths: string[], o: FollowOptions): Promise<{ lines: number }> {
  const state: Record<string, Position> =
    o.stateFile && existsSync(o.stateFile) ? JSON.parse(readFileSync(o.stateFile, 'utf8')) : {};
  const save = () => {
    if (!o.stateFile) return;
    mkdirSync(dirname(o.stateFile), { recursive: true });
    writeFileSync(o.stateFile + '.tmp', JSON.stringify(state));
    renameSync(o.stateFile + '.tmp', o.stateFile);
  };
  let total = 0;
  const open = new Map<string, { fd: number; ino: number; offset: number; rest: string }>();
  const readAll = async (path: string, f: { fd: number; ino: number; offset: number; rest: string }) => {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = readSync(f.fd, buf, 0, buf.length, f.offset);
      if (n <= 0) break;
      const text = f.rest + buf.toString('utf8', 0, n);
      const parts = text.split('\n');
      f.rest = parts.pop() ?? '';
      f.offset += n;
      const lines = parts.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)).filter((l) => l.length);
      if (lines.length) {
        await o.onLines(lines, path);
        total += lines.length;
      }
      state[path] = { ino: f.ino, offset: f.offset - Buffer.byteLength(f.rest) };
      save();
      if (o.onProgress) o.onProgress(path, f.offset, Math.max(f.offset, fstatSync(f.fd).size));
    }
  };
  for (;;) {
    for (const p of paths.map((x) => resolve(x))) {
      let st;
      try {
        st = statSync(p);
      } catch {
        continue; // not there (yet): rotation in progress
      }
      let f = open.get(p);
      if (f && f.ino !== st.ino) {
        await readAll(p, f); // rotated: finish the old file, then start the new one
        closeSync(f.fd);
        open.delete(p);
        f = undefined;
        state[p] = { ino: st.ino, offset: 0 };
      }
      if (!f) {
        const fd = openSync(p, 'r');
        const ino = fstatSync(fd).ino;
        const saved = state[p];
        const offset = saved && saved.ino === ino && saved.offset <= st.size ? saved.offset : 0;
        f = { fd, ino, offset, rest: '' };
        open.set(p, f);
      }
      if (st.size < f.offset) {
        f.offset = 0; // truncated
        f.rest = '';
      }
      await readAll(p, f);
    }
    if (!o.follow || o.signal?.aborted) break;
    await new Promise((r) => setTimeout(r, o.pollMs ?? 250));
    if (o.signal?.aborted) break;
  }
  if (!o.follow) {
    for (const [p, f] of open) {
      if (f.rest) {
        await o.onLines([f.rest], p);
        total++;
        state[p] = { ino: f.ino, offset: f.offset };
      }
    }
    save();
  }
  for (const f of open.values()) closeSync(f.fd);
  return { lines: total };
}
