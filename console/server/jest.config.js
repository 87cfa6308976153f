// light-my-request (fastify's inject) requires the ESM-only `cookie` package: let swc turn it into CommonJS.
// argon2 hashing is deliberately slow; under a loaded CI machine a hook may need more than 5 s.
const base = {
  ...require('../../jest.preset.js'),
  transformIgnorePatterns: ['node_modules/(?!(\\.pnpm/cookie@|cookie/))'],
};

// The suites that read and write the EventStore run twice: on the embedded store and on a real
// OpenSearch node (test/helpers.ts picks the store from EDU_CONSOLE_TEST_STORE). Without
// EDUSENTRY_TEST_OPENSEARCH_URL the OpenSearch run is skipped (test/opensearch-variant.test.ts says so),
// and under CI that is a failure.
const STORE_SUITES = [
  'alerts',
  'assignees',
  'posture',
  'search',
  'matrix',
  'live',
  'rules',
  'rules-process',
  'notices',
  'bounds',
  'incident-scope',
  'org-lifecycle',
  'separation',
  'sites',
  'posture-drill',
];
const projects = [{ ...base, displayName: 'embedded' }];
if (process.env.EDUSENTRY_TEST_OPENSEARCH_URL) {
  projects.push({
    ...base,
    displayName: 'opensearch',
    testMatch: STORE_SUITES.map((s) => `<rootDir>/test/${s}.test.ts`),
    setupFiles: ['<rootDir>/test/opensearch-project.js'],
  });
}

module.exports = { projects, testTimeout: 30_000 };
