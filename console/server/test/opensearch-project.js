// Runs the store suites of the `opensearch` jest project against the real node (see jest.config.js).
process.env.EDU_CONSOLE_TEST_STORE = 'opensearch';
