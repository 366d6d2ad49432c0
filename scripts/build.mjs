// Bundles src/runts.ts into dist/runts.js after generating the ajv standalone
// validators, so no schema is compiled when runts starts.
//
// The output is CommonJS (dist/package.json says so): Node 20 starts a CJS
// program about 5 ms sooner than an ESM one, whose loader is set up and
// resolves every chunk asynchronously. esbuild cannot split CJS, so the split
// is made here: the CLI is dist/lib/main.js, each command's implementation
// (the modules src/cli/commands import() when they run) is bundled on its
// own as dist/lib/<name>.js, and so is pino; they are loaded when needed,
// with V8's code cache. `runts state` thus loads main.js alone, and `create`
// never parses the code of `events`. dist/runts.js only loads main.js.
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
// makes esbuild call it synchronously inside a resolved promise. Every
// bundle lives in dist/lib, so the bundles' own directory is where to look.
// The CLI's build (collect) records which command modules to bundle next.
const LOADER = resolve('src/cli/lib-loader.ts');
// Modules a command implementation import()s only on a path most runs do
// not take: a dynamic import of one of them from src/container/ is a bundle
// of its own too, so the command's bundle does not carry (read, deserialize,
// run the top level of) its code. `start` needs the signalling code (and
// the cgroup library behind it) only when a hook failed, and the hook runner
// only for poststart hooks.
const LAZY_LIBS = new Map([
  [resolve('src/container/signal-process.ts'), 'signal-process'],
  [resolve('src/hooks/lifecycle.ts'), 'lifecycle'],
]);
const splitPlugin = (collect) => ({
  name: 'runts-split',
  setup(b) {
    const lib = (name) => ({ path: name, namespace: 'runts-lib' });
    b.onResolve({ filter: /^pino$/ }, (args) => (args.kind === 'dynamic-import' ? lib('pino') : undefined));
    b.onResolve({ filter: /^\.{1,2}\/[a-z/.-]+\.js$/ }, (args) => {
      if (args.kind !== 'dynamic-import' || !args.importer.includes('/src/container/')) return undefined;
      const name = LAZY_LIBS.get(resolve(dirname(args.importer), args.path).replace(/\.js$/, '.ts'));
      return name === undefined ? undefined : lib(name);
    });
    b.onResolve({ filter: /^\.\.\/\.\.\/[a-z-]+\/[a-z-]+\.js$/ }, (args) => {
      if (!collect || args.kind !== 'dynamic-import' || !args.importer.includes('/src/cli/commands/')) return undefined;
      const source = resolve(dirname(args.importer), args.path).replace(/\.js$/, '.ts');
      const name = basename(source, '.ts');
      for (const [other, n] of libs) {
        if (n === name && other !== source) throw new Error(`build: two command modules named ${name}: ${other}, ${source}`);
      }
      if (name === 'main' || name === 'pino' || [...LAZY_LIBS.values()].includes(name)) throw new Error(`build: a command module may not be named ${name}`);
      libs.set(source, name);
      return lib(name);
    });
    b.onLoad({ filter: /.*/, namespace: 'runts-lib' }, (args) => ({
      contents: `const { loadLib } = require(${JSON.stringify(LOADER)});\nmodule.exports = loadLib(__dirname, ${JSON.stringify(args.path)});\n`,
      loader: 'js',
      resolveDir: dirname(LOADER),
    }));
  },
});

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
};

await build({ ...common, entryPoints: { main: 'src/runts.ts' }, outdir: LIB, plugins: [splitPlugin(true)] });
await build({
  ...common,
  entryPoints: {
    ...Object.fromEntries([...libs, ...LAZY_LIBS].map(([source, name]) => [name, source])),
    pino: 'node_modules/pino/pino.js',
  },
  outdir: LIB,
  plugins: [splitPlugin(false)],
});
// dist/runts.js, the program: a few lines that load dist/lib/main.js.
await build({ ...common, entryPoints: { runts: 'src/boot.ts' }, outdir: OUT, banner: { js: '#!/usr/bin/env node' } });
// dist/containerd-shim-runts-v2.js, the containerd shim (src/shim): the
// command line and the dispatch only. Each action src/shim/main.ts
// import()s is a bundle of its own, dist/lib/shim-<action>.js, loaded with
// its code cache like the CLI's: `start` and `delete` run on the path of
// every container's start and removal, and need not parse the server
// (everything it calls in-process); the server loads compiled code.
const SHIM_ACTIONS = { './start.js': ['shim-start', 'src/shim/start.ts'], './delete-action.js': ['shim-delete', 'src/shim/delete-action.ts'], './serve.js': ['shim-serve', 'src/shim/serve.ts'] };
const shimSplitPlugin = {
  name: 'runts-shim-split',
  setup(b) {
    b.onResolve({ filter: /^\.\/[a-z-]+\.js$/ }, (args) => {
      if (args.kind !== 'dynamic-import' || !args.importer.endsWith('/src/shim/main.ts')) return undefined;
      const lib = SHIM_ACTIONS[args.path];
      if (!lib) throw new Error(`build: src/shim/main.ts imports ${args.path}, which is no shim action bundle`);
      return { path: lib[0], namespace: 'runts-shim-lib' };
    });
    b.onLoad({ filter: /.*/, namespace: 'runts-shim-lib' }, (args) => ({
      contents: `const { loadLib } = require(${JSON.stringify(LOADER)});\nmodule.exports = loadLib(require('node:path').join(__dirname, 'lib'), ${JSON.stringify(args.path)});\n`,
      loader: 'js',
      resolveDir: dirname(LOADER),
    }));
  },
};
// Its first lines are src/shim/launcher.sh: /bin/sh answers containerd 1.6's
// `delete` where there is nothing to clean up, and runs Node for the rest.
const shimLauncher = readFileSync('src/shim/launcher.sh', 'utf8').trimEnd();
if (shimLauncher.slice(shimLauncher.indexOf('/*') + 2, -2).includes('*/')) throw new Error('build: src/shim/launcher.sh ends its JS comment early');
await build({ ...common, entryPoints: { 'containerd-shim-runts-v2': 'src/shim.ts' }, outdir: OUT, banner: { js: shimLauncher }, plugins: [shimSplitPlugin] });
await build({ ...common, entryPoints: Object.fromEntries(Object.values(SHIM_ACTIONS)), outdir: LIB });
// The package is ESM ("type": "module"); what is in dist/ is not.
writeFileSync(`${OUT}/package.json`, '{ "type": "commonjs" }\n');
// Each bundle's V8 code cache (src/cli/lib-loader.ts reads it), made by
// compiling and loading the bundle once, as runts will.
// main.js is compiled only: running it would run the CLI.
const caches = spawnSync(process.execPath, ['scripts/code-cache.cjs', LIB, 'main.js'], { stdio: 'inherit' });
if (caches.status !== 0) process.exit(caches.status ?? 1);
chmodSync(`${OUT}/runts.js`, 0o755);
chmodSync(`${OUT}/containerd-shim-runts-v2.js`, 0o755);
if (!existsSync(`${OUT}/runts-init`)) {
  console.error('build: dist/runts-init is missing; run `npm run build:native` first');
  process.exit(1);
}
