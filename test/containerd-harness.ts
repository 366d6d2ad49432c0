// A private containerd for the integration tests and bench/containerd.ts: its
// own root, state and socket in a temp dir, CRI and the other unneeded
// plugins off, optional extra directories (shim binaries) at the front of its
// PATH, and the busybox OCI image of oci-image.ts imported. stop() removes
// everything it can even after a failure: containers and tasks of the
// namespace, containerd, shims serving it, runtime state left under the shims'
// roots, mounts under the temp dir, the namespace's cgroups, the temp dir.
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, rmdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, REPO, RUNTS, waitFor } from './integration/helpers.ts';
import { ociArchive } from './integration/oci-image.ts';

export const BUSYBOX_IMAGE = 'docker.io/runts/busybox:test';
/** The built containerd shim. */
export const RUNTS_SHIM = join(REPO, 'dist', 'containerd-shim-runts-v2.js');

/** A private containerd that finds the built containerd-shim-runts-v2 first on its PATH and cleans up after it (its state root /run/containerd/runts/<ns>). */
export function runtsShimContainerd(ns: string, prefix: string, env?: Record<string, string>): PrivateContainerd {
  return new PrivateContainerd({
    ns,
    prefix,
    path: (d) => {
      const bin = join(d, 'bin');
      mkdirSync(bin);
      symlinkSync(RUNTS_SHIM, join(bin, 'containerd-shim-runts-v2'));
      return [bin];
    },
    shim: /containerd-shim-runts-v2(\.js)?$/,
    runtimeRoots: [{ root: `/run/containerd/runts/${ns}`, cli: [process.execPath, RUNTS] }],
    ...(env ? { env } : {}),
  });
}

export interface ContainerdOptions {
  /** The ctr namespace everything runs in. */
  ns: string;
  /** mkdtemp prefix of the temp dir (under the system tmpdir). */
  prefix: string;
  /** Directories to put before containerd's PATH (where it finds shims). */
  path?: (dir: string) => string[];
  /** Runtime state roots to force-delete what is left in, each with the CLI (argv prefix before `--root`) that owns it, or a function of the container id giving it (undefined: leave it). */
  runtimeRoots?: { root: string; cli: string[] | ((id: string) => string[] | undefined) }[];
  /** containerd in its own process group: a Ctrl-C of ours does not reach it, so stop() can still clean up through it. */
  detached?: boolean;
  /** Which shim processes serving this containerd shimPids() reports (default: any containerd-shim-*). */
  shim?: RegExp;
  /** Extra environment for containerd, which its shims inherit (e.g. RUNTS_SHIM_GROUP). */
  env?: Record<string, string>;
}

export class PrivateContainerd {
  dir = '';
  sock = '';
  private proc: ChildProcess | undefined;
  private hadRunContainerd = existsSync('/run/containerd');

  constructor(readonly opts: ContainerdOptions) {}

  /** containerd was started and has not exited. */
  get alive(): boolean {
    return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  ctr(args: string[], timeout = 60_000): SpawnSyncReturns<string> {
    return spawnSync('ctr', ['--address', this.sock, '-n', this.opts.ns, ...args], { env: cleanEnv(), encoding: 'utf8', timeout, killSignal: 'SIGKILL' });
  }

  /** ctr that must exit 0; its stdout. */
  must(args: string[]): string {
    const r = this.ctr(args);
    if (r.status !== 0) throw new Error(`ctr ${args.join(' ')}: exit ${r.status ?? r.signal}: ${r.stderr}`);
    return r.stdout;
  }

  /** `ctr task ls` as id -> status. */
  tasks(): Map<string, string> {
    const m = new Map<string, string>();
    for (const line of this.must(['task', 'ls']).split('\n').slice(1)) {
      const [id, , status] = line.trim().split(/\s+/);
      if (id) m.set(id, status ?? '');
    }
    return m;
  }

  /** `ctr task ls` as id -> pid. */
  taskPids(): Map<string, number> {
    const m = new Map<string, number>();
    for (const line of this.must(['task', 'ls']).split('\n').slice(1)) {
      const [id, pid] = line.trim().split(/\s+/);
      if (id) m.set(id, Number(pid));
    }
    return m;
  }

  mountsUnder(path = this.dir): string[] {
    return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(path));
  }

  /** The namespace's cgroup directories (ctr puts a container at /<namespace>/<id>) and the ones below them. */
  cgroupDirs(): { top: string[]; children: string[] } {
    const top: string[] = [];
    const children: string[] = [];
    for (const h of readdirSync('/sys/fs/cgroup')) {
      const d = join('/sys/fs/cgroup', h, this.opts.ns);
      if (!existsSync(d)) continue;
      top.push(d);
      for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) children.push(join(d, e.name));
    }
    return { top, children };
  }

  /** Shim servers started for this containerd (its address is on their command line). */
  shimPids(): number[] {
    const re = this.opts.shim ?? /containerd-shim-[^/]*$/;
    const pids: number[] = [];
    for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
        if (cmd.some((a) => re.test(a)) && cmd.includes(this.sock)) pids.push(Number(p));
      } catch {
        /* gone */
      }
    }
    return pids;
  }

  async start(): Promise<void> {
    this.hadRunContainerd = existsSync('/run/containerd');
    const dir = (this.dir = mkdtempSync(join(tmpdir(), this.opts.prefix)));
    chmodSync(dir, 0o755);
    const sock = (this.sock = join(dir, 'containerd.sock'));
    const off = ['io.containerd.grpc.v1.cri', 'io.containerd.snapshotter.v1.aufs', 'io.containerd.snapshotter.v1.btrfs', 'io.containerd.snapshotter.v1.devmapper', 'io.containerd.snapshotter.v1.zfs', 'io.containerd.tracing.processor.v1.otlp', 'io.containerd.internal.v1.tracing'];
    writeFileSync(
      join(dir, 'config.toml'),
      [
        'version = 2',
        `root = "${dir}/root"`,
        `state = "${dir}/state"`,
        `disabled_plugins = [${off.map((p) => `"${p}"`).join(', ')}]`,
        '[grpc]',
        `  address = "${sock}"`,
        '[ttrpc]',
        `  address = "${sock}.ttrpc"`,
        '[debug]',
        '  address = ""',
        '[metrics]',
        '  address = ""',
        '',
      ].join('\n'),
    );
    const log = openSync(join(dir, 'containerd.log'), 'w');
    const extra = this.opts.path?.(dir) ?? [];
    const env = { ...(extra.length ? { ...cleanEnv(), PATH: [...extra, process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'].join(':') } : cleanEnv()), ...this.opts.env };
    this.proc = spawn('containerd', ['--config', join(dir, 'config.toml')], { env, stdio: ['ignore', log, log], detached: this.opts.detached ?? false });
    closeSync(log);
    const up = await waitFor(() => existsSync(sock) && this.ctr(['version'], 5000).status === 0, 20_000);
    if (!up) throw new Error(`containerd did not come up: ${readFileSync(join(dir, 'containerd.log'), 'utf8').slice(-2000)}`);
    this.must(['image', 'import', ociArchive(dir, BUSYBOX_IMAGE)]);
  }

  async stop(): Promise<void> {
    if (!this.dir) return;
    const proc = this.proc;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      for (const id of this.ctr(['container', 'ls', '-q'], 10_000).stdout?.split('\n').filter(Boolean) ?? []) {
        this.ctr(['task', 'kill', '-s', 'SIGKILL', id], 10_000);
        this.ctr(['task', 'delete', '--force', id], 10_000);
        this.ctr(['container', 'delete', id], 10_000);
      }
      proc.kill('SIGTERM');
      if (!(await waitFor(() => proc.exitCode !== null || proc.signalCode !== null, 10_000))) proc.kill('SIGKILL');
    }
    for (const pid of this.shimPids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    // Whatever a container of ours still holds, then its state, cgroups and mounts.
    for (const { root, cli } of this.opts.runtimeRoots ?? []) {
      if (!existsSync(root)) continue;
      for (const id of readdirSync(root)) {
        const argv = typeof cli === 'function' ? cli(id) : cli;
        if (argv) spawnSync(argv[0]!, [...argv.slice(1), '--root', root, 'delete', '--force', id], { env: cleanEnv(), stdio: 'ignore' });
      }
    }
    for (const m of this.mountsUnder(this.dir).reverse()) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
    const { top, children } = this.cgroupDirs();
    for (const d of [...children, ...top]) {
      try {
        rmdirSync(d);
      } catch {
        /* busy: reported by the test that checks */
      }
    }
    for (const { root } of this.opts.runtimeRoots ?? []) rmSync(root, { recursive: true, force: true });
    if (!this.hadRunContainerd) rmSync('/run/containerd', { recursive: true, force: true });
    rmSync(this.dir, { recursive: true, force: true });
  }
}
