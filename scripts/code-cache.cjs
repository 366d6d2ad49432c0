// Writes <bundle>.js.cache next to each bundle in the directory given: V8's
// code cache for the bundle compiled exactly as src/cli/lib-loader.ts
// compiles it (Module.wrap, vm.Script), after running its top level so that
// what runs at load is cached compiled too (bundles do no work at load;
// those named after the directory, like main.js, are only compiled).
'use strict';
const Module = require('node:module');
const { readdirSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const dir = require('node:path').resolve(process.argv[2]);
// Bundles whose top level must not run here (main.js would run the CLI).
const compileOnly = new Set(process.argv.slice(3));
for (const name of readdirSync(dir).filter((n) => n.endsWith('.js'))) {
  const file = join(dir, name);
  const bytes = readFileSync(file);
  // src/cli/lib-loader.ts reads the bundles as latin1, a plain copy: they
  // must be ASCII (esbuild escapes strings, not regular expression literals).
  const at = bytes.findIndex((b) => b > 0x7f);
  if (at >= 0) {
    const line = bytes.subarray(0, at).toString('latin1').split('\n').length;
    console.error(`build: ${file}:${line}: a non-ASCII character; write it as a \\u escape in the source`);
    process.exit(1);
  }
  const script = new Script(Module.wrap(bytes.toString('latin1')), { filename: file });
  const mod = new Module(file);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(dirname(file));
  const wrapper = script.runInThisContext();
  if (!compileOnly.has(name)) wrapper.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, dirname(file));
  writeFileSync(`${file}.cache`, script.createCachedData());
}
