/**
 * The site registry: application state in one SQLite file (<dataDir>/sites/registry.db) shared by
 * the CLI, the monitor and the console. A site is keyed by id and unique by URL, so re-importing
 * a sheet updates the sites it names instead of adding them again.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Site } from './types';

export function registryPath(dataDir: string): string {
  return join(dataDir, 'sites', 'registry.db');
}

interface Row {
  id: string;
  org_id: string;
  name: string;
  url: string;
  key_pages: string;
  owner: string;
  interval_sec: number;
  expected_dns: string;
  own_cidrs: string;
  own_domains: string;
  enabled: number;
  created_at: string;
  updated_at: string;
}

const fromRow = (r: Row): Site => ({
  id: r.id,
  orgId: r.org_id,
  name: r.name,
  url: r.url,
  keyPages: JSON.parse(r.key_pages) as string[],
  owner: r.owner,
  intervalSec: r.interval_sec,
  expectedDns: JSON.parse(r.expected_dns) as string[],
  ownCidrs: JSON.parse(r.own_cidrs) as string[],
  ownDomains: JSON.parse(r.own_domains) as string[],
  enabled: r.enabled === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export type SiteInput = Omit<Site, 'id' | 'createdAt' | 'updatedAt'> & { id?: string };

export class SiteRegistry {
  private db: Database.Database;

  constructor(file: string) {
    mkdirSync(join(file, '..'), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS sites (
      id TEXT PRIMARY KEY, org_id TEXT NOT NULL, name TEXT NOT NULL, url TEXT NOT NULL UNIQUE,
      key_pages TEXT NOT NULL DEFAULT '[]', owner TEXT NOT NULL DEFAULT '', interval_sec INTEGER NOT NULL,
      expected_dns TEXT NOT NULL DEFAULT '[]', own_cidrs TEXT NOT NULL DEFAULT '[]', own_domains TEXT NOT NULL DEFAULT '[]',
      enabled INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS sites_org ON sites(org_id);`);
  }

  static open(dataDir: string): SiteRegistry {
    return new SiteRegistry(registryPath(dataDir));
  }

  list(orgIds?: string[]): Site[] {
    const rows = this.db.prepare('SELECT * FROM sites ORDER BY org_id, name').all() as Row[];
    const scope = orgIds && new Set(orgIds);
    return rows.map(fromRow).filter((s) => !scope || scope.has(s.orgId));
  }

  get(id: string): Site | undefined {
    const r = this.db.prepare('SELECT * FROM sites WHERE id = ?').get(id) as Row | undefined;
    return r && fromRow(r);
  }

  byUrl(url: string): Site | undefined {
    const r = this.db.prepare('SELECT * FROM sites WHERE url = ?').get(url) as Row | undefined;
    return r && fromRow(r);
  }

  /** Creates the site, or updates the one with the same id or URL; returns it and whether it was new. */
  upsert(input: SiteInput): { site: Site; created: boolean } {
    const now = new Date().toISOString();
    const existing = (input.id && this.get(input.id)) || this.byUrl(input.url);
    const id = existing?.id ?? input.id ?? randomUUID();
    const values = {
      id,
      org_id: input.orgId,
      name: input.name,
      url: input.url,
      key_pages: JSON.stringify(input.keyPages),
      owner: input.owner,
      interval_sec: input.intervalSec,
      expected_dns: JSON.stringify(input.expectedDns),
      own_cidrs: JSON.stringify(input.ownCidrs),
      own_domains: JSON.stringify(input.ownDomains),
      enabled: input.enabled ? 1 : 0,
      created_at: existing?.createdAt ?? now,
      updated_at: now,
    };
    this.db
      .prepare(
        `INSERT INTO sites VALUES (@id, @org_id, @name, @url, @key_pages, @owner, @interval_sec, @expected_dns,
           @own_cidrs, @own_domains, @enabled, @created_at, @updated_at)
         ON CONFLICT(id) DO UPDATE SET org_id=@org_id, name=@name, url=@url, key_pages=@key_pages, owner=@owner,
           interval_sec=@interval_sec, expected_dns=@expected_dns, own_cidrs=@own_cidrs, own_domains=@own_domains,
           enabled=@enabled, updated_at=@updated_at`,
      )
      .run(values);
    return { site: this.get(id)!, created: !existing };
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM sites WHERE id = ?').run(id).changes > 0;
  }

  close(): void {
    this.db.close();
  }
}
