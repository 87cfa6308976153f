/** Shared by the shipper and reliability tests: the real search node's URL and a switchable TCP path to it. */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * EDUSENTRY_TEST_OPENSEARCH_URL, or undefined when this machine has no node. Under CI
 * the node is part of the run, so a missing URL is a failure, not a skip.
 */
export function opensearchUrl(): string | undefined {
  const url = process.env.EDUSENTRY_TEST_OPENSEARCH_URL;
  if (!url && process.env.CI)
    throw new Error('CI is set but EDUSENTRY_TEST_OPENSEARCH_URL is not: the OpenSearch node did not start');
  return url;
}

/**
 * A loopback TCP relay in front of the node. down() closes the listener and cuts every
 * open connection, so the store client sees what it sees when the cluster is gone
 * (ECONNREFUSED / ECONNRESET); up() listens again on the same port.
 */
export class TcpRelay {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  static forUrl(url: string): TcpRelay {
    const u = new URL(url);
    return new TcpRelay(u.hostname, Number(u.port || 80));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  up(): Promise<void> {
    if (this.server) return Promise.resolve();
    const server = createServer((client) => {
      const target = createConnection(this.targetPort, this.targetHost);
      for (const s of [client, target]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(target).pipe(client);
      client.on('close', () => target.destroy());
      target.on('close', () => client.destroy());
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        this.port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    return server ? new Promise((r) => server.close(() => r())) : Promise.resolve();
  }
}
