/**
 * The store suites (alerts, posture/search/collectors, matrix, live) also run on a real
 * OpenSearch node as the `opensearch` jest project when EDUSENTRY_TEST_OPENSEARCH_URL is
 * set. This file makes its absence visible: a skipped test on a developer machine, a
 * failure under CI, where the node must be running.
 */
const url = process.env.EDUSENTRY_TEST_OPENSEARCH_URL;

if (url) {
  it('runs the store suites on OpenSearch as well (the opensearch jest project)', () => {
    expect(url).toMatch(/^https?:\/\//);
  });
} else if (process.env.CI) {
  it('has a real OpenSearch node to run the store suites against in CI', () => {
    throw new Error(
      'EDUSENTRY_TEST_OPENSEARCH_URL is not set: CI must start the node (deploy/opensearch/node.sh start) and export its URL',
    );
  });
} else {
  it.skip('store suites on OpenSearch (set EDUSENTRY_TEST_OPENSEARCH_URL to run them against a real node)', () =>
    undefined);
}
