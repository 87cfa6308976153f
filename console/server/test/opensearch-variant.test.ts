/**
 * The suites that write to the EventStore also run on a real OpenSearch node as the `opensearch`
 * jest project (jest.config.js, STORE_SUITES). These tests fail when a store suite is left out of
 * that project, and when the node the project runs on is not OpenSearch; without the node that
 * second test is skipped on a developer machine and fails under CI.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requires } from '@edusentry/core/testing';

const ROOT = join(__dirname, '..');
const url = process.env.EDUSENTRY_TEST_OPENSEARCH_URL;

interface Project {
  displayName: string;
  testMatch?: string[];
  setupFiles?: string[];
}

/** jest.config.js as jest reads it when the node's URL is set. */
function projectsWithNode(): Project[] {
  const saved = process.env.EDUSENTRY_TEST_OPENSEARCH_URL;
  process.env.EDUSENTRY_TEST_OPENSEARCH_URL = saved ?? 'http://127.0.0.1:9';
  try {
    let projects: Project[] = [];
    jest.isolateModules(() => {
      projects = require(join(ROOT, 'jest.config.js')).projects;
    });
    return projects;
  } finally {
    if (saved === undefined) delete process.env.EDUSENTRY_TEST_OPENSEARCH_URL;
  }
}

it('runs every suite that writes to the store in the opensearch project too', () => {
  const writers = readdirSync(join(ROOT, 'test'))
    .filter((f) => f.endsWith('.test.ts'))
    .filter((f) => /\.store\.write\(/.test(readFileSync(join(ROOT, 'test', f), 'utf8')))
    .map((f) => `<rootDir>/test/${f}`)
    .sort();
  expect(writers.length).toBeGreaterThan(3);
  const opensearch = projectsWithNode().find((p) => p.displayName === 'opensearch');
  expect(opensearch?.setupFiles).toEqual(['<rootDir>/test/opensearch-project.js']);
  expect([...(opensearch?.testMatch ?? [])].sort()).toEqual(expect.arrayContaining(writers));
});

requires(url ? undefined : 'EDUSENTRY_TEST_OPENSEARCH_URL is not set').test(
  'the opensearch project runs against an OpenSearch node',
  async () => {
    const info = (await (await fetch(url!)).json()) as { version?: { distribution?: string; number?: string } };
    expect(info.version?.distribution).toBe('opensearch');
  },
);
