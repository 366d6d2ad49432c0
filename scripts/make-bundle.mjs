#!/usr/bin/env node
// Makes an OCI bundle in DIR from the host's static busybox:
//   node scripts/make-bundle.mjs DIR [ARGS...]
// The config is the usual default (new pid/net/ipc/uts/mount namespaces,
// /proc, /dev, /sys, read-only root, three capabilities), non-terminal.
import { chmodSync, copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
const rootfs = join(dir, 'rootfs');
for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc', 'root']) mkdirSync(join(rootfs, d), { recursive: true });
copyFileSync(busybox, join(rootfs, 'bin', 'busybox'));
chmodSync(join(rootfs, 'bin', 'busybox'), 0o755);
for (const a of ['sh', 'echo', 'cat', 'ls', 'id', 'hostname', 'sleep', 'ps', 'mount', 'uname', 'true', 'false']) {
  symlinkSync('busybox', join(rootfs, 'bin', a));
}
writeFileSync(join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
const caps = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];
const config = {
  ociVersion: '1.3.0',
  process: {
    terminal: false,
    user: { uid: 0, gid: 0 },
    args: args.length ? args : ['sh'],
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
    cwd: '/',
    capabilities: { bounding: caps, effective: caps, permitted: caps, ambient: caps },
    rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
    noNewPrivileges: true,
  },
  root: { path: 'rootfs', readonly: true },
  hostname: 'runts',
  mounts: [
    { destination: '/proc', type: 'proc', source: 'proc' },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
  ],
  linux: {
    maskedPaths: ['/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi'],
    readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
  },
};
writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
