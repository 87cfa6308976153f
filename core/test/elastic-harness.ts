/** Runs the store contract against a real Elasticsearch/OpenSearch node named by an environment variable. */
import { randomBytes } from 'node:crypto';
import { ElasticStore } from '../src/store/elastic';
import type { EcsEvent } from '../src/schema/ecs';
import { fixtureEvents, storeContract } from './store-contract';

/** Unique per test run, so runs against the same node never see each other's indices. */
const RUN = `edutest-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
let n = 0;

export function elasticContract(engine: string, envVar: string): void {
  const url = process.env[envVar];
  if (!url) {
    if (process.env.CI) {
      it(`has a real ${engine} node to test against in CI`, () => {
        throw new Error(
          `${envVar} is not set: CI must start the node (deploy/${engine.toLowerCase()}/node.sh start) and export its URL`,
        );
      });
    } else {
      it.skip(`${engine} contract (set ${envVar} to run it against a real node)`, () => undefined);
    }
    return;
  }
  jest.setTimeout(60_000);
  describe(`${engine} store at ${url} meets the EventStore contract`, () => {
    storeContract(() => {
      const indexPrefix = `${RUN}-${++n}`;
      // Tests make writes searchable before returning and take the tail without a lag,
      // so they assert on behaviour, not on timing.
      const open = async () => {
        const s = new ElasticStore({ url, indexPrefix, refresh: true, tailLagMs: 0, requestTimeoutMs: 20_000 });
        await s.ping();
        return s;
      };
      const bad = { ...fixtureEvents()[4], source: { ip: 'not-an-ip' } } as EcsEvent;
      bad.event = { ...bad.event, id: 'bad-ip' };
      return {
        open,
        cleanup: async () => {
          const s = await open();
          await s.destroy();
          await s.close();
        },
        engineRejects: { event: bad, reasonMatches: /source\.ip.*not-an-ip/ },
      };
    });
  });
}
