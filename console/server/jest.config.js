// light-my-request (fastify's inject) requires the ESM-only `cookie` package: let swc turn it into CommonJS.
module.exports = {
  ...require('../../jest.preset.js'),
  transformIgnorePatterns: ['node_modules/(?!(\\.pnpm/cookie@|cookie/))'],
};
