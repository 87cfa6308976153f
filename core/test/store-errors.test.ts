/** The store failures a user must get as one clear line: unreachable cluster, damaged SQLite file. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeConfigSchema } from '../src/config/config';
import { EduError } from '../src/errors';
import { EmbeddedStore } from '../src/store/embedded/store';
import { openStore } from '../src/store';

function listen(onSocket: (s: Socket) => void): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    onSocket(s);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as { port: number }).port, sockets }),
    ),
  );
}

async function storeError(url: string, requestTimeoutMs = 30000): Promise<EduError> {
  const cfg = storeConfigSchema.parse({ kind: 'elasticsearch', url, requestTimeoutMs });
  const err = await openStore(cfg, '/nonexistent').then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EduError);
  return err as EduError;
}

describe('an unreachable Elasticsearch/OpenSearch store', () => {
  it('is EDU_ERR_STORE_UNREACHABLE naming the URL when nothing listens there', async () => {
    const { server, port } = await listen(() => undefined);
    await new Promise((r) => server.close(r)); // the port is now free: connection refused
    const err = await storeError(`http://127.0.0.1:${port}`);
    expect(err.code).toBe('EDU_ERR_STORE_UNREACHABLE');
    expect(err.message).toContain(`http://127.0.0.1:${port}`);
  });

  it('does not hang on a server that accepts and never answers', async () => {
    // The ping is bounded by the request timeout, so this returns instead of waiting forever.
    const { server, port, sockets } = await listen(() => undefined);
    try {
      const err = await storeError(`http://127.0.0.1:${port}`, 300);
      expect(err.code).toBe('EDU_ERR_STORE_UNREACHABLE');
      expect(err.message).toContain(`127.0.0.1:${port}`);
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise((r) => server.close(r));
    }
  });

  it('is EDU_ERR_STORE for something that answers but is not a search engine', async () => {
    const server = createHttpServer((_req, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('oops'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const err = await storeError(`http://127.0.0.1:${port}`);
      expect(err.code).toBe('EDU_ERR_STORE');
      expect(err.message).toContain(`http://127.0.0.1:${port}`);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('a damaged embedded store file', () => {
  it('is EDU_ERR_STORE_CORRUPT naming the path and what to do', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edusentry-corrupt-'));
    try {
      const path = join(dir, 'events.db');
      writeFileSync(path, 'this is not a SQLite database, just text that happens to be long enough'.repeat(100));
      let err: unknown;
      try {
        new EmbeddedStore({ path });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(EduError);
      expect((err as EduError).code).toBe('EDU_ERR_STORE_CORRUPT');
      expect((err as EduError).message).toContain(path);
      expect((err as EduError).message).toMatch(/store init/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
