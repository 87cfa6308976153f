// Unit tests of the pure modules (src/**/__tests__) and end-to-end tests in real Chromium (e2e/).
const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  testMatch: ['<rootDir>/src/**/__tests__/**/*.test.ts', '<rootDir>/e2e/**/*.test.ts'],
  moduleNameMapper: { '^@/(.*)$': '<rootDir>/src/$1' },
};
