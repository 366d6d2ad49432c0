// Writes <bundle>.js.cache next to each bundle in the directory given: V8's
// code cache for the bundle compiled exactly as src/cli/lib-loader.ts
// compiles it (Module.wrap, vm.Script), after running its top level so that
// what runs at load is cached compiled too. Bundles do no work at load.
'use strict';
const Module = require('node:module');
const { readdirSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const dir = require('node:path').resolve(process.argv[2]);
for (const name of readdirSync(dir).filter((n) => n.endsWith('.js'))) {
  const file = join(dir, name);
  const script = new Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file });
  const mod = new Module(file);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(dirname(file));
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, dirname(file));
  writeFileSync(`${file}.cache`, script.createCachedData());
}
