// Bundles src/runts.ts into dist/runts.js after generating the ajv standalone
// validators, so no schema is compiled when runts starts.
//
// The output is CommonJS (dist/package.json says so): Node 20 starts a CJS
// program about 5 ms sooner than an ESM one, whose loader is set up and
// resolves every chunk asynchronously. esbuild cannot split CJS, so the split
// is made here: each command's implementation (the modules src/cli/commands
// import() when they run) is bundled on its own as dist/lib/<name>.js, and so
// is pino; runts.js require()s them when the command runs. `runts state`
// thus loads runts.js alone, and `create` never parses the code of `events`.
import { build } from 'esbuild';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

const gen = spawnSync(process.execPath, ['scripts/gen-validators.mjs'], { stdio: 'inherit' });
if (gen.status !== 0) process.exit(gen.status ?? 1);

const OUT = 'dist';
const LIB = `${OUT}/lib`;
rmSync(`${OUT}/chunks`, { recursive: true, force: true });
rmSync(LIB, { recursive: true, force: true });
mkdirSync(LIB, { recursive: true });

/** Source path of each command implementation -> its dist/lib name. */
const libs = new Map();

// A dynamic import() of an implementation module by a command, or of pino,
// becomes loadLib() of its own bundle (src/cli/lib-loader.ts: a require()
// that uses the bundle's V8 code cache); supported['dynamic-import'] = false
// makes esbuild call it synchronously inside a resolved promise.
const LOADER = resolve('src/cli/lib-loader.ts');
const splitPlugin = {
  name: 'runts-split',
  setup(b) {
    const fromLib = resolve(b.initialOptions.outdir) === resolve(LIB);
    const lib = (name) => ({ path: name, namespace: 'runts-lib', pluginData: { fromLib } });
    b.onResolve({ filter: /^pino$/ }, (args) => (args.kind === 'dynamic-import' ? lib('pino') : undefined));
    b.onResolve({ filter: /^\.\.\/\.\.\/[a-z-]+\/[a-z-]+\.js$/ }, (args) => {
      if (fromLib || args.kind !== 'dynamic-import' || !args.importer.includes('/src/cli/commands/')) return undefined;
      const source = resolve(dirname(args.importer), args.path).replace(/\.js$/, '.ts');
      const name = basename(source, '.ts');
      for (const [other, n] of libs) {
        if (n === name && other !== source) throw new Error(`build: two command modules named ${name}: ${other}, ${source}`);
      }
      libs.set(source, name);
      return lib(name);
    });
    b.onLoad({ filter: /.*/, namespace: 'runts-lib' }, (args) => ({
      contents: `const { loadLib } = require(${JSON.stringify(LOADER)});\nmodule.exports = loadLib(${args.pluginData.fromLib ? '__dirname' : 'require("node:path").join(__dirname, "lib")'}, ${JSON.stringify(args.path)});\n`,
      loader: 'js',
      resolveDir: dirname(LOADER),
    }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  supported: { 'dynamic-import': false },
  define: {
    RUNTS_VERSION_DEFINE: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version),
    // Only read where __filename is missing (sources run by tsx).
    'import.meta.url': '""',
  },
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [splitPlugin],
};

await build({
  ...common,
  entryPoints: { runts: 'src/runts.ts' },
  outdir: OUT,
  banner: { js: '#!/usr/bin/env node' },
});
await build({
  ...common,
  entryPoints: { ...Object.fromEntries([...libs].map(([source, name]) => [name, source])), pino: 'node_modules/pino/pino.js' },
  outdir: LIB,
});
// The package is ESM ("type": "module"); what is in dist/ is not.
writeFileSync(`${OUT}/package.json`, '{ "type": "commonjs" }\n');
// Each bundle's V8 code cache (src/cli/lib-loader.ts reads it), made by
// compiling and loading the bundle once, as runts will.
const caches = spawnSync(process.execPath, ['scripts/code-cache.cjs', LIB], { stdio: 'inherit' });
if (caches.status !== 0) process.exit(caches.status ?? 1);
chmodSync(`${OUT}/runts.js`, 0o755);
if (!existsSync(`${OUT}/runts-init`)) {
  console.error('build: dist/runts-init is missing; run `npm run build:native` first');
  process.exit(1);
}
