/**
 * What every command gets: the validated configuration with the common command-line
 * options applied, a logger, and the store opened on demand.
 */
import { resolve } from 'node:path';
import { createLogger, EduError, loadConfig, openStore, type EventStore, type Logger } from '@edusentry/core';
import type { Command } from 'commander';
import { configSchema, type Config } from './config';

export interface GlobalOptions {
  config?: string;
  dataDir?: string;
  /** A kind, or `true` for a bare `--store` (write to the configured store). */
  store?: string | boolean;
  storeUrl?: string;
  logLevel?: string;
}

export interface Context {
  config: Config;
  dataDir: string;
  log: Logger;
  /** Opens the configured store once; later calls return the same one. */
  store(): Promise<EventStore>;
  close(): Promise<void>;
}

export function addGlobalOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'YAML configuration file', process.env.EDUSENTRY_CONFIG)
    .option('--data-dir <dir>', 'data directory (env EDUSENTRY_DATA_DIR)', process.env.EDUSENTRY_DATA_DIR)
    .option(
      '--store [kind]',
      'event store: embedded | elasticsearch (alias opensearch); bare --store on collect commands writes to the configured store',
    )
    .option(
      '--store-url <url>',
      'Elasticsearch/OpenSearch URL (env EDUSENTRY_STORE_URL)',
      process.env.EDUSENTRY_STORE_URL,
    )
    .option('--log-level <level>', 'log level: error, warn, info, debug', process.env.EDUSENTRY_LOG_LEVEL);
}

export function createContext(opts: GlobalOptions): Context {
  const config = loadConfig(opts.config, configSchema);
  if (opts.dataDir) config.dataDir = opts.dataDir;
  if (typeof opts.store === 'string') {
    const kind = opts.store === 'opensearch' ? 'elasticsearch' : opts.store;
    if (kind !== 'embedded' && kind !== 'elasticsearch') {
      throw new EduError(
        'EDU_ERR_USAGE',
        `--store must be embedded, elasticsearch or opensearch, not "${opts.store}" (a bare --store goes after the file names)`,
      );
    }
    config.store.kind = kind;
  }
  if (opts.storeUrl) {
    config.store.url = opts.storeUrl;
    if (!opts.store) config.store.kind = 'elasticsearch';
  }
  if (opts.logLevel) config.log.level = opts.logLevel as Config['log']['level'];
  const dataDir = resolve(config.dataDir);
  const log = createLogger('edusentry', config.log.level);
  let store: Promise<EventStore> | undefined;
  return {
    config,
    dataDir,
    log,
    store: () => (store ??= openStore(config.store, dataDir)),
    close: async () => {
      if (store) await (await store).close();
    },
  };
}
