// light-my-request (fastify's inject) requires the ESM-only `cookie` package: let swc turn it into CommonJS.
// argon2 hashing is deliberately slow; under a loaded CI machine a hook may need more than 5 s.
module.exports = { ...require('../../jest.preset.js'), testTimeout: 30_000, transformIgnorePatterns: ['node_modules/(?!(\\.pnpm/cookie@|cookie/))'] };
