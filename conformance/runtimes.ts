// The runtimes the suite compares, each as the argv prefix that reaches its
// CLI with a private --root. Default: runts (dist/runts.js), runc, and crun
// where it can run. crun refuses this project's hybrid cgroup hosts (v1
// controllers plus a near-empty v2 at /sys/fs/cgroup/unified): there it runs
// in a private mount namespace with that mount removed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Runtime {
  name: string;
  /** The full argv for `<runtime> --root <its root> ...args`. */
  argv: (args: string[]) => string[];
  /** Its private state directory. */
  root: string;
}

export interface RuntimeChoice {
  name: string;
  /** An executable path, or undefined for the default of that name. */
  path?: string;
}

function works(cmd: string[]): boolean {
  return spawnSync(cmd[0]!, cmd.slice(1), { stdio: 'ignore' }).status === 0;
}

function hybridCgroups(): boolean {
  return existsSync('/sys/fs/cgroup/unified') && readFileSync('/proc/self/mountinfo', 'utf8').includes(' /sys/fs/cgroup/unified ');
}

function node(path: string): string[] {
  // dist/runts.js has a shebang, but running it with this node avoids PATH surprises.
  return path.endsWith('.js') ? [process.execPath, path] : [path];
}

function make(name: string, exe: string, stateDir: string): Runtime {
  const root = join(stateDir, name);
  if (name === 'crun' && hybridCgroups()) {
    return {
      name,
      root,
      argv: (args) => ['unshare', '-m', 'sh', '-c', 'umount /sys/fs/cgroup/unified 2>/dev/null; exe=$0 root=$1; shift; exec "$exe" --root "$root" "$@"', exe, root, ...args],
    };
  }
  return { name, root, argv: (args) => [...node(exe), '--root', root, ...args] };
}

/**
 * The runtimes to run: those chosen (`--runtime name=path`, `--only name`),
 * else runts, runc and crun where installed. Returns those missing too, so
 * the table can say why a column is absent.
 */
export function pickRuntimes(repo: string, stateDir: string, chosen: RuntimeChoice[], only: string[]): { use: Runtime[]; missing: string[] } {
  const defaults: Record<string, string> = { runts: join(repo, 'dist', 'runts.js'), runc: 'runc', crun: 'crun' };
  const wanted: RuntimeChoice[] = chosen.length > 0 ? chosen : Object.keys(defaults).map((name) => ({ name }));
  const use: Runtime[] = [];
  const missing: string[] = [];
  for (const c of wanted) {
    if (only.length > 0 && !only.includes(c.name)) continue;
    const exe = c.path ?? defaults[c.name] ?? c.name;
    if (!works([...node(exe), '--version'])) {
      missing.push(c.name);
      continue;
    }
    use.push(make(c.name, exe, stateDir));
  }
  return { use, missing };
}
