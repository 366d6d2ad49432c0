#!/usr/bin/env node
// Makes an OCI bundle in DIR from the host's static busybox:
//   node scripts/make-bundle.mjs DIR [ARGS...]
// The config is what `runts spec` writes (so build first), made
// non-terminal and running ARGS (default: sh).
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [dir, ...args] = process.argv.slice(2);
if (!dir) {
  console.error('usage: make-bundle.mjs DIR [ARGS...]');
  process.exit(2);
}
const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
if (!busybox) {
  console.error('make-bundle: no busybox found: apt-get install busybox-static');
  process.exit(1);
}
const runts = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'runts.js');
if (!existsSync(runts)) {
  console.error('make-bundle: dist/runts.js is missing: run `npm run build` first');
  process.exit(1);
}
const rootfs = join(dir, 'rootfs');
for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc', 'root']) mkdirSync(join(rootfs, d), { recursive: true });
copyFileSync(busybox, join(rootfs, 'bin', 'busybox'));
chmodSync(join(rootfs, 'bin', 'busybox'), 0o755);
for (const a of ['sh', 'echo', 'cat', 'ls', 'id', 'hostname', 'sleep', 'ps', 'mount', 'uname', 'true', 'false']) {
  symlinkSync('busybox', join(rootfs, 'bin', a));
}
writeFileSync(join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
const r = spawnSync(process.execPath, [runts, 'spec', '--bundle', dir], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
config.process.terminal = false;
config.process.args = args.length ? args : ['sh'];
writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
