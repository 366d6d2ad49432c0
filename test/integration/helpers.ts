// Shared pieces of the integration tests: busybox bundles, a private --root,
// and running the built runts (dist/runts.js) as callers do. Everything made
// here is registered for cleanup so a failing test leaves nothing behind.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, chownSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defaultSpec } from '../../src/spec/default-spec.ts';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const RUNTS = join(REPO, 'dist', 'runts.js');
export const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p)) ?? '/bin/busybox';

/** The environment for runts and runc: no NODE_EXTRA_CA_CERTS (it costs ~80 ms a start). */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_OPTIONS;
  return env;
}

const APPLETS = ['sh', 'echo', 'cat', 'ls', 'id', 'hostname', 'sleep', 'true', 'false', 'mount', 'ps', 'grep', 'stat', 'touch', 'mkdir', 'readlink', 'env', 'pwd', 'test', 'umask', 'wc', 'head', 'ulimit', 'kill', 'dd', 'rm', 'ln', 'cut', 'tr', 'uname', 'nproc', 'awk', 'sed', 'sysctl', 'printf', 'stty', 'tty', 'ionice'];

/** A rootfs with the host's static busybox and the applets the tests use. */
export function makeRootfs(dir: string): void {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  for (const d of ['proc', 'sys', 'dev', 'tmp', 'etc', 'root']) mkdirSync(join(dir, d), { recursive: true });
  copyFileSync(BUSYBOX, join(dir, 'bin', 'busybox'));
  chmodSync(join(dir, 'bin', 'busybox'), 0o755);
  for (const a of APPLETS) symlinkSync('busybox', join(dir, 'bin', a));
  writeFileSync(join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  writeFileSync(join(dir, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/**
 * The config `runts spec` writes, made non-terminal with `args`, hostname
 * "runc" and without the /sys/fs/cgroup mount (the tests' baseline, close to
 * `runc spec`'s; tests add what they need).
 */
export function baseSpec(args: string[] = ['sh', '-c', 'echo hello']): Json {
  const spec = JSON.parse(JSON.stringify(defaultSpec({ rootless: false, uid: 0, gid: 0 }))) as Json;
  spec.ociVersion = '1.0.2-dev';
  spec.process.terminal = false;
  spec.process.args = args;
  spec.hostname = 'runc';
  spec.mounts = spec.mounts.filter((m: Json) => m.destination !== '/sys/fs/cgroup');
  return spec;
}

export class Sandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'runts-it-'));
  readonly root = join(this.dir, 'state');
  private readonly ids = new Set<string>();
  private n = 0;

  /** Creates a bundle dir with a busybox rootfs and the given config. */
  bundle(spec: Json): string {
    const b = join(this.dir, `bundle${this.n++}`);
    mkdirSync(b);
    makeRootfs(join(b, 'rootfs'));
    writeFileSync(join(b, 'config.json'), JSON.stringify(spec, null, 2));
    return b;
  }

  writeSpec(bundle: string, spec: Json): void {
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec, null, 2));
  }

  id(prefix = 'c'): string {
    const id = `${prefix}${process.pid}-${this.n++}`;
    this.ids.add(id);
    return id;
  }

  /**
   * runts with this sandbox's --root. Output goes through files, not pipes: a
   * created or detached container inherits runts' stdio, and a pipe would
   * keep spawnSync waiting until the container exits (the same holds for runc).
   */
  runts(args: string[], opts: { input?: string; cwd?: string; timeout?: number } = {}): SpawnSyncReturns<string> {
    return this.captured(process.execPath, [RUNTS, '--root', this.root, ...args], opts);
  }

  private captured(cmd: string, args: string[], opts: { input?: string; cwd?: string; timeout?: number }): SpawnSyncReturns<string> {
    const out = join(this.dir, `.out${this.n}`);
    const err = join(this.dir, `.err${this.n++}`);
    const outFd = openSync(out, 'w+');
    const errFd = openSync(err, 'w+');
    try {
      const r = spawnSync(cmd, args, {
        env: cleanEnv(),
        input: opts.input,
        stdio: [opts.input === undefined ? 'ignore' : 'pipe', outFd, errFd],
        cwd: opts.cwd,
        timeout: opts.timeout ?? 60_000,
      });
      return { ...r, stdout: readFileSync(out, 'utf8'), stderr: readFileSync(err, 'utf8'), output: [] } as SpawnSyncReturns<string>;
    } finally {
      closeSync(outFd);
      closeSync(errFd);
      rmSync(out, { force: true });
      rmSync(err, { force: true });
    }
  }

  /** runc with a sibling root, for side-by-side comparisons. */
  runc(args: string[], opts: { cwd?: string } = {}): SpawnSyncReturns<string> {
    return this.captured('runc', ['--root', join(this.dir, 'runc-state'), ...args], opts);
  }

  runtsAsync(args: string[]): ReturnType<typeof spawn> {
    return spawn(process.execPath, [RUNTS, '--root', this.root, ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  }

  state(id: string): Json {
    const r = this.runts(['state', id]);
    if (r.status !== 0) throw new Error(`state ${id}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  }

  /** Force-deletes every container this sandbox made (runts and runc), then removes the temp dir. */
  cleanup(): void {
    for (const id of this.ids) {
      this.runts(['delete', '--force', id]);
      if (existsSync(join(this.dir, 'runc-state', id))) this.runc(['delete', '--force', id]);
    }
    if (existsSync(this.root)) {
      for (const id of readdirSync(this.root)) this.runts(['delete', '--force', id]);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls `fn` until it returns true or `ms` pass. */
export async function waitFor(fn: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (fn()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return fn();
}

/** A console socket at `sock` served by console-receiver.py, as containerd or conmon would run one. */
export interface ConsoleReceiver {
  /** Everything the receiver printed so far (listening, name=, fds=, output=). */
  output(): string;
  /** Resolves when the receiver exits (the pty closed), or after `ms`. */
  done(ms?: number): Promise<void>;
  stop(): void;
}

export async function startConsoleReceiver(sock: string): Promise<ConsoleReceiver> {
  const rx = spawn('python3', [join(import.meta.dirname, 'console-receiver.py'), sock], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  rx.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => rx.once('exit', () => r()));
  const receiver = {
    output: () => out,
    done: (ms = 10_000) => Promise.race([exited, new Promise<void>((r) => setTimeout(r, ms))]),
    stop: () => rx.kill(),
  };
  if (!(await waitFor(() => out.includes('listening')))) {
    rx.kill();
    throw new Error('console-receiver.py did not start listening');
  }
  return receiver;
}

/**
 * Makes a bundle's rootfs usable by a user namespace whose root is host id
 * `id`: everything in it owned by `id`, and the directories above it
 * traversable (0711) by that unprivileged host id.
 */
export function chownRootfs(sb: Sandbox, bundle: string, id: number): void {
  chmodSync(sb.dir, 0o711);
  chmodSync(bundle, 0o711);
  const walk = (dir: string): void => {
    chownSync(dir, id, id);
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.isSymbolicLink()) chownSync(p, id, id);
    }
  };
  walk(join(bundle, 'rootfs'));
}

/** runts-init processes started from this worktree's dist/ that are still around. */
export function strayInits(): number[] {
  const init = join(REPO, 'dist', 'runts-init');
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv0 = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0')[0];
      if (argv0 === init && !readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]!.startsWith('Z')) found.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}
