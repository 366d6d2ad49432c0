// Bundles src/runts.ts into dist/runts.js (one file, ESM) after generating the
// ajv standalone validators, so no schema is compiled when runts starts.
import { build } from 'esbuild';
import { chmodSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const gen = spawnSync(process.execPath, ['scripts/gen-validators.mjs'], { stdio: 'inherit' });
if (gen.status !== 0) process.exit(gen.status ?? 1);

rmSync('dist/chunks', { recursive: true, force: true });
await build({
  entryPoints: { runts: 'src/runts.ts' },
  outdir: 'dist',
  // Each command's implementation is import()ed when it runs: with splitting,
  // `runts state` never parses the validators, the plan builder or pino.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __runtsCreateRequire } from 'node:module'; const require = __runtsCreateRequire(import.meta.url);",
  },
  define: { RUNTS_VERSION_DEFINE: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
  legalComments: 'none',
  logLevel: 'warning',
});
chmodSync('dist/runts.js', 0o755);
if (!existsSync('dist/runts-init')) {
  console.error('build: dist/runts-init is missing; run `npm run build:native` first');
  process.exit(1);
}
