// Test bundles: a busybox rootfs (every applet linked) and the suite's base
// config, the one `runts spec` writes (src/spec/default-spec.ts) made
// non-interactive, with ociVersion 1.0.2 (crun 1.8 knows no later version)
// and a cgroupsPath under the suite's own cgroup so nothing escapes cleanup.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultSpec } from '../src/spec/default-spec.ts';

export const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p)) ?? '/bin/busybox';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

let applets: string[] | undefined;
function busyboxApplets(): string[] {
  if (!applets) {
    const r = spawnSync(BUSYBOX, ['--list'], { encoding: 'utf8' });
    applets = r.status === 0 ? r.stdout.split('\n').filter((a) => /^[\w.[-]+$/.test(a) && a !== 'busybox') : ['sh'];
  }
  return applets;
}

/** A rootfs with the host's static busybox, all its applets in /bin, and root/nobody users. */
export function makeRootfs(dir: string): void {
  for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc', 'root']) mkdirSync(join(dir, d), { recursive: true });
  chmodSync(join(dir, 'tmp'), 0o1777);
  copyFileSync(BUSYBOX, join(dir, 'bin', 'busybox'));
  chmodSync(join(dir, 'bin', 'busybox'), 0o755);
  for (const a of busyboxApplets()) symlinkSync('busybox', join(dir, 'bin', a));
  writeFileSync(join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nconf:x:1000:1000:conf:/home/conf:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  writeFileSync(join(dir, 'etc', 'group'), 'root:x:0:\nconf:x:1000:\nextra:x:2000:conf\nnogroup:x:65534:\n');
}

/** The base config: `sh -c script`, no terminal, the default namespaces, mounts and confinement. */
export function baseSpec(script: string, cgroupsPath: string): Json {
  const spec = JSON.parse(JSON.stringify(defaultSpec({ rootless: false, uid: 0, gid: 0 }))) as Json;
  spec.ociVersion = '1.0.2';
  spec.process.terminal = false;
  spec.process.args = ['sh', '-c', script];
  spec.hostname = 'conformance';
  // The cgroup mount is a case of its own; most cases need none.
  spec.mounts = spec.mounts.filter((m: Json) => m.destination !== '/sys/fs/cgroup');
  spec.linux.cgroupsPath = cgroupsPath;
  return spec;
}

/** Stands for 2^64-1 (RLIM_INFINITY) in a spec: JSON.stringify cannot write it exactly. */
export const U64_MAX = '__U64_MAX__';

export function writeBundle(dir: string, spec: Json): void {
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'rootfs'))) makeRootfs(join(dir, 'rootfs'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(spec, null, 2).replaceAll(`"${U64_MAX}"`, '18446744073709551615'));
}
