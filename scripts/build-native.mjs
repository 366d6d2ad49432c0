// Builds the native parts (addon/) with cmake-js and copies them to dist/:
// dist/runts_bridge.node and dist/runts-init. Works from a clean checkout
// after `npm ci` (no install scripts needed); needs cmake, g++,
// libseccomp-dev and nlohmann-json3-dev from apt.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const addon = join(repo, 'addon');
const buildDir = join(addon, 'build');
const outDir = join(buildDir, 'out');
const dist = join(repo, 'dist');

function die(msg) {
  console.error(`build-native: ${msg}`);
  process.exit(1);
}

// cmake-js' own message for a missing cmake does not say how to get it here.
const cmake = spawnSync('cmake', ['--version'], { encoding: 'utf8' });
if (cmake.error || cmake.status !== 0) die('cmake not found: apt-get install cmake');

let cmakeJs;
try {
  cmakeJs = createRequire(join(repo, 'package.json')).resolve('cmake-js/bin/cmake-js');
} catch {
  die('cmake-js not found in node_modules: run `npm ci` first');
}

// `build` configures when needed; `compile` would retry a failed configure
// as a full rebuild and print every error twice.
const args = [cmakeJs, 'build', '--directory', addon, '--out', buildDir, '--parallel', String(availableParallelism()), '--log-level', 'warn'];
const r = spawnSync(process.execPath, args, { cwd: repo, stdio: 'inherit' });
if (r.error) die(`cmake-js: ${r.error.message}`);
if (r.status !== 0) die(`cmake-js build failed (status ${r.status ?? r.signal})`);

mkdirSync(dist, { recursive: true });
for (const [name, mode] of [['runts_bridge.node', 0o755], ['runts-init', 0o755]]) {
  const from = join(outDir, name);
  if (!existsSync(from)) die(`${from} was not produced by the build`);
  // Copy then rename, so a running runts never executes a half-written file
  // (and a busy dist/runts-init does not fail with ETXTBSY).
  const tmp = join(dist, `.${name}.tmp-${process.pid}`);
  copyFileSync(from, tmp);
  chmodSync(tmp, mode);
  renameSync(tmp, join(dist, name));
}
console.log('build-native: dist/runts_bridge.node dist/runts-init');
