// The runtimes compared, each as the argv prefix that reaches its CLI with a
// private --root. crun refuses hybrid cgroup hosts (v1 controllers plus a
// near-empty v2 at /sys/fs/cgroup/unified); there it runs in a private mount
// namespace with that mount removed, which costs an unshare(1) per call and is
// reported as such.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Runtime {
  name: string;
  argv: (args: string[]) => string[];
  note: string;
}

function have(cmd: string): boolean {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}

function hybridCgroups(): boolean {
  return existsSync('/sys/fs/cgroup/unified') && readFileSync('/proc/self/mountinfo', 'utf8').includes(' /sys/fs/cgroup/unified ');
}

export function runtimes(repo: string, stateDir: string): Runtime[] {
  const out: Runtime[] = [
    {
      name: 'runts',
      argv: (args) => [process.execPath, join(repo, 'dist', 'runts.js'), '--root', join(stateDir, 'runts'), ...args],
      note: 'cgroupfs (v1 here), like runc',
    },
  ];
  if (have('runc')) out.push({ name: 'runc', argv: (args) => ['runc', '--root', join(stateDir, 'runc'), ...args], note: 'cgroupfs driver' });
  if (have('crun')) {
    const root = join(stateDir, 'crun');
    out.push(
      hybridCgroups()
        ? {
            name: 'crun',
            argv: (args) => ['unshare', '-m', 'sh', '-c', 'umount /sys/fs/cgroup/unified 2>/dev/null; exec crun --root "$0" "$@"', root, ...args],
            note: 'in unshare -m without /sys/fs/cgroup/unified (hybrid host): +1 unshare per call',
          }
        : { name: 'crun', argv: (args) => ['crun', '--root', root, ...args], note: '' },
    );
  }
  return out;
}
