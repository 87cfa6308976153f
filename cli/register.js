/**
 * How `pnpm edusentry` runs the TypeScript sources without a build step: a CommonJS
 * require hook compiling each .ts file with swc (the settings jest uses, see
 * jest.preset.js), cached on disk by path, size and mtime. Cheaper at start-up than
 * tsx's ESM loader thread and source-map bookkeeping; source maps (for stack traces)
 * only with EDUSENTRY_DEBUG set.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const debug = Boolean(process.env.EDUSENTRY_DEBUG);
const options = {
  jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
  module: { type: 'commonjs' },
  sourceMaps: debug ? 'inline' : false,
};
if (debug) process.setSourceMapsEnabled(true);
const version = `${require('@swc/core/package.json').version} ${JSON.stringify(options)}`;
/** swc's native binding loads only when a file is not in the cache yet. */
let swc;
const cacheDir = path.join(__dirname, '..', 'node_modules', '.cache', 'edusentry-swc');
let cacheable = true;
try {
  fs.mkdirSync(cacheDir, { recursive: true });
} catch {
  cacheable = false;
}

function compile(filename) {
  const st = fs.statSync(filename);
  const key = crypto.hash
    ? crypto.hash('sha1', `${version}\0${filename}\0${st.size}\0${st.mtimeMs}`)
    : crypto.createHash('sha1').update(`${version}\0${filename}\0${st.size}\0${st.mtimeMs}`).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  if (cacheable) {
    try {
      return fs.readFileSync(cached, 'utf8');
    } catch {
      // Not compiled yet.
    }
  }
  swc ??= require('@swc/core');
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), { ...options, filename });
  if (cacheable) {
    try {
      // Write then rename: a concurrent run never reads half a file.
      const tmp = `${cached}.${process.pid}`;
      fs.writeFileSync(tmp, code);
      fs.renameSync(tmp, cached);
    } catch {
      cacheable = false;
    }
  }
  return code;
}

require.extensions['.ts'] = function loadTs(module, filename) {
  module._compile(compile(filename), filename);
};
