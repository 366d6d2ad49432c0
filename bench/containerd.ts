// npm run bench:containerd: what a containerd user sees of runts, next to runc
// (and crun where it can run), through a private containerd (test/containerd-harness.ts)
// with the busybox image of the tests:
//   runc            io.containerd.runc.v2 shim + runc
//   runc-shim+runts io.containerd.runc.v2 shim + runts (--runc-binary dist/runts.js)
//   runts-shim      io.containerd.runts.v2 (containerd-shim-runts-v2, runts in-process)
//   runc-shim+crun  io.containerd.runc.v2 shim + crun, where crun runs on this host
//   runc-pod        the runc shim, every container of a configuration in one pod
//                   (io.kubernetes.cri.sandbox-id annotation): one shim per pod
//   runts-shim-pod  the runts shim, the same way: one server per pod
//   runts-shim-ns   the runts shim under a second private containerd whose
//                   environment has RUNTS_SHIM_GROUP=namespace: one server for all
//   runts-shim-before  with BENCH_BEFORE_SHIM=<an older containerd-shim-runts-v2.js>:
//                   that shim (runtime io.containerd.runtsbefore.v2), to compare versions;
//                   runts-shim-pod-before the same, one server per pod
// Measured, interleaved (A B C A B C ...) after warm-up rounds: `ctr run --rm
// IMAGE id true`, `ctr task exec` of true into a running sleep task, and the
// resident memory per running container of the shim(s) serving BENCH_MEM_N
// (default 5) detached sleep containers plus any runtime process they keep
// (VmRSS; PSS too, which splits the pages the shims share), divided by the
// running containers those shims serve. In the pod configurations the `ctr
// run` joins the pod of the running sleep task (its server is up), and the
// memory's containers are a pod of their own. Medians with the 10th-90th
// percentile spread and the ratio to runc; a table on stdout and
// bench/containerd-results.json.
// Never part of a test. Cleans up everything, also on failure and Ctrl-C.
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BUSYBOX_IMAGE, PrivateContainerd } from '../test/containerd-harness.ts';
import { summarize, type Summary } from './stats.ts';

delete process.env.NODE_EXTRA_CA_CERTS; // costs ~80 ms a Node start; everything spawned inherits this env
delete process.env.NODE_OPTIONS;

const REPO = resolve(import.meta.dirname, '..');
const RUNTS = join(REPO, 'dist', 'runts.js');
const SHIM = join(REPO, 'dist', 'containerd-shim-runts-v2.js');
const N = Number(process.env.BENCH_N ?? 15);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const RSS_CONTAINERS = Number(process.env.BENCH_MEM_N ?? 5);
const NS = `runts-bench-${process.pid}`;
/** The namespace of the second containerd (namespace mode): its own runts root. */
const NS_GROUPED = `${NS}-ns`;
const SANDBOX = 'io.kubernetes.cri.sandbox-id';
const BEFORE_SHIM = process.env.BENCH_BEFORE_SHIM ? resolve(process.env.BENCH_BEFORE_SHIM) : '';

const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
for (const [what, ok] of [
  ['dist/runts.js and dist/containerd-shim-runts-v2.js (npm run build)', existsSync(RUNTS) && existsSync(SHIM)],
  ['containerd, ctr and containerd-shim-runc-v2', have('containerd') && have('ctr') && have('containerd-shim-runc-v2')],
  ['runc', have('runc')],
] as const) {
  if (!ok) {
    console.error(`bench:containerd needs ${what}`);
    process.exit(2);
  }
}

/** crun refuses hybrid cgroup hosts (v1 controllers plus a v2 mount at /sys/fs/cgroup/unified). */
const hybrid = existsSync('/sys/fs/cgroup/unified') && readFileSync('/proc/self/mountinfo', 'utf8').includes(' /sys/fs/cgroup/unified ');

interface Config {
  name: string;
  /** Container ids start with it (tells leftovers apart in the shared runc root). */
  prefix: string;
  ctrArgs: string[];
  note: string;
  /** The containerd it runs under (default: the first). */
  on?: PrivateContainerd;
  /** Its containers are this pod (a sandbox-id annotation), but for the memory measure's: a pod per measure. */
  pod?: string;
}

const podArgs = (pod: string): string[] => ['--annotation', `${SANDBOX}=${pod}`];
/** ctr run's arguments for a configuration's containers. */
const runArgs = (c: Config): string[] => [...c.ctrArgs, ...(c.pod ? podArgs(c.pod) : [])];

const RUNC_ROOT = `/run/containerd/runc/${NS}`;
const RUNTS_ROOT = `/run/containerd/runts/${NS}`;
let crunWrapper = '';
/** containerd's PATH: a temp dir with the runts shim. */
function shimBin(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  symlinkSync(SHIM, join(bin, 'containerd-shim-runts-v2'));
  if (BEFORE_SHIM) symlinkSync(BEFORE_SHIM, join(bin, 'containerd-shim-runtsbefore-v2'));
  return bin;
}
const ctd = new PrivateContainerd({
  ns: NS,
  prefix: 'runts-bench-ctd-',
  detached: true,
  path: (dir) => {
    const bin = shimBin(dir);
    // crun as the runc binary: on a hybrid host in a private mount namespace
    // without /sys/fs/cgroup/unified (one unshare(1) and sh more per call), as bench/runtimes.ts does.
    crunWrapper = join(bin, 'crun-wrapper');
    writeFileSync(
      crunWrapper,
      hybrid ? `#!/bin/sh\nexec unshare -m sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec crun "$@"' crun "$@"\n` : `#!/bin/sh\nexec crun "$@"\n`,
    );
    chmodSync(crunWrapper, 0o755);
    return [bin];
  },
  runtimeRoots: [
    { root: RUNC_ROOT, cli: (id) => (id.startsWith('rc-') || id.startsWith('rcp-') ? ['runc'] : id.startsWith('rb-') ? [process.execPath, RUNTS] : id.startsWith('cr-') && crunWrapper ? [crunWrapper] : undefined) },
    { root: RUNTS_ROOT, cli: [process.execPath, RUNTS] },
  ],
});
/** The second containerd: one runts shim server for its whole namespace. */
const ctdNs = new PrivateContainerd({
  ns: NS_GROUPED,
  prefix: 'runts-bench-ctdns-',
  detached: true,
  env: { RUNTS_SHIM_GROUP: 'namespace' },
  path: (dir) => [shimBin(dir)],
  runtimeRoots: [{ root: `/run/containerd/runts/${NS_GROUPED}`, cli: [process.execPath, RUNTS] }],
});
const on = (c: Config): PrivateContainerd => c.on ?? ctd;

let seq = 0;
const nextId = (c: Config, what: string): string => `${c.prefix}${what}-${seq++}`;

/** Failed ctr calls in the measured loop: their samples are dropped and reported; more than N aborts. */
const failures: string[] = [];
function timed(c: Config, args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = on(c).ctr(args);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status === 0) return ms;
  failures.push(`${c.name}: ctr ${args.join(' ')}: exit ${r.status ?? r.signal}: ${r.stderr.trim().split('\n').at(-1)}`);
  if (failures.length > N) throw new Error(`too many failures:\n${failures.join('\n')}`);
  return NaN;
}

function remove(id: string, under: PrivateContainerd = ctd): void {
  if (!under.alive) return; // stop() cleans up without it
  under.ctr(['task', 'delete', '--force', id]);
  under.ctr(['container', 'delete', id]);
}

function procStat(pid: number): { ppid: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return { ppid: Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]) };
  } catch {
    return undefined;
  }
}

function children(): Map<number, number[]> {
  const m = new Map<number, number[]>();
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    const st = procStat(Number(p));
    if (!st) continue;
    if (!m.has(st.ppid)) m.set(st.ppid, []);
    m.get(st.ppid)!.push(Number(p));
  }
  return m;
}

function tree(root: number, kids: Map<number, number[]>, skip: Set<number>): number[] {
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const p = stack.pop()!;
    if (skip.has(p)) continue;
    out.push(p);
    stack.push(...(kids.get(p) ?? []));
  }
  return out;
}

function kb(file: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(file, 'utf8'));
  if (!m) throw new Error(`no ${field} in ${file}`);
  return Number(m[1]);
}

/**
 * Starts RSS_CONTAINERS detached sleep containers; the memory (MiB) per
 * container of the processes serving them: each container's shim (its init's
 * parent) and whatever else runs below the shim that is not a container,
 * divided by the running containers these shims serve (a shared server may
 * serve more than these: the namespace mode's also serves the exec target).
 */
function memory(c: Config): { rss: number; pss: number; procs: number } {
  const ids = Array.from({ length: RSS_CONTAINERS }, () => nextId(c, 'mem'));
  const args = c.pod ? [...c.ctrArgs, ...podArgs(`${c.prefix}mem-${seq}`)] : c.ctrArgs;
  const under = on(c);
  try {
    for (const id of ids) under.must(['run', '-d', ...args, BUSYBOX_IMAGE, id, 'sleep', '100000']);
    spawnSync('sleep', ['0.3']);
    const pids = under.taskPids();
    const inits = new Set(ids.map((id) => pids.get(id)!));
    const shims = new Set([...inits].map((p) => procStat(p)!.ppid));
    const served = new Set([...pids.values()].filter((p) => p > 0 && shims.has(procStat(p)?.ppid ?? -1)));
    const kids = children();
    const serving = new Set([...shims].flatMap((s) => tree(s, kids, served)));
    let rss = 0;
    let pss = 0;
    for (const p of serving) {
      rss += kb(`/proc/${p}/status`, 'VmRSS');
      pss += kb(`/proc/${p}/smaps_rollup`, 'Pss');
    }
    return { rss: rss / 1024 / served.size, pss: pss / 1024 / served.size, procs: serving.size };
  } finally {
    for (const id of ids) remove(id, under);
  }
}

let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    interrupted = true;
    console.error(`\n${sig}: cleaning up`);
  });
}
/** Lets a signal handler run between the synchronous steps. */
async function checkpoint(): Promise<void> {
  await new Promise((r) => setImmediate(r));
  if (interrupted) throw new Error('interrupted');
}

type Op = 'run' | 'exec' | 'rss' | 'pss';
const samples = new Map<string, Map<Op, number[]>>();
const add = (c: string, op: Op, v: number): void => {
  if (!samples.has(c)) samples.set(c, new Map());
  const m = samples.get(c)!;
  m.set(op, [...(m.get(op) ?? []), v]);
};

const configs: Config[] = [
  { name: 'runc', prefix: 'rc-', ctrArgs: ['--runtime', 'io.containerd.runc.v2'], note: 'containerd-shim-runc-v2 + runc' },
  { name: 'runc-shim+runts', prefix: 'rb-', ctrArgs: ['--runtime', 'io.containerd.runc.v2', '--runc-binary', RUNTS], note: 'containerd-shim-runc-v2 + dist/runts.js as the runc binary' },
  { name: 'runts-shim', prefix: 'rs-', ctrArgs: ['--runtime', 'io.containerd.runts.v2'], note: 'containerd-shim-runts-v2 (runts in-process)' },
  { name: 'runc-pod', prefix: 'rcp-', ctrArgs: ['--runtime', 'io.containerd.runc.v2'], pod: 'rcp-pod', note: 'containerd-shim-runc-v2 + runc, the containers in one pod: one shim per pod' },
  { name: 'runts-shim-pod', prefix: 'rsp-', ctrArgs: ['--runtime', 'io.containerd.runts.v2'], pod: 'rsp-pod', note: 'containerd-shim-runts-v2, the containers in one pod: one server per pod' },
  { name: 'runts-shim-ns', prefix: 'rsn-', ctrArgs: ['--runtime', 'io.containerd.runts.v2'], on: ctdNs, note: 'containerd-shim-runts-v2 with RUNTS_SHIM_GROUP=namespace: one server for the namespace' },
  ...(BEFORE_SHIM
    ? [
        { name: 'runts-shim-before', prefix: 'rsb-', ctrArgs: ['--runtime', 'io.containerd.runtsbefore.v2'], note: `${BEFORE_SHIM} (BENCH_BEFORE_SHIM)` },
        { name: 'runts-shim-pod-before', prefix: 'rsbp-', ctrArgs: ['--runtime', 'io.containerd.runtsbefore.v2'], pod: 'rsbp-pod', note: `${BEFORE_SHIM} (BENCH_BEFORE_SHIM), one server per pod` },
      ]
    : []),
];
const skipped: string[] = [];
const running = new Map<string, string>();
let exitCode = 0;
try {
  await ctd.start();
  await checkpoint();
  await ctdNs.start();
  await checkpoint();
  const crun: Config = { name: 'runc-shim+crun', prefix: 'cr-', ctrArgs: ['--runtime', 'io.containerd.runc.v2', '--runc-binary', crunWrapper], note: hybrid ? 'crun in unshare -m without /sys/fs/cgroup/unified (hybrid cgroup host): +unshare +sh per runtime call' : 'containerd-shim-runc-v2 + crun' };
  if (!have('crun')) skipped.push('runc-shim+crun: crun is not installed');
  else {
    // Only if a container runs and an exec works through it.
    let err = '';
    for (let attempt = 0; attempt < 3; attempt++) {
      const id = nextId(crun, 'probe');
      const r = ctd.ctr(['run', '--rm', ...crun.ctrArgs, BUSYBOX_IMAGE, id, 'true']);
      remove(id);
      err = r.status === 0 ? '' : r.stderr.trim().split('\n').at(-1)!;
      if (!err) break;
    }
    if (!err) configs.push(crun);
    else skipped.push(`runc-shim+crun: ctr run failed 3 times: ${err}`);
  }

  // One running sleep task per configuration to exec into (in the pod configurations, the pod's first container).
  for (const c of configs) {
    const id = nextId(c, 'bg');
    on(c).must(['run', '-d', ...runArgs(c), BUSYBOX_IMAGE, id, 'sleep', '100000']);
    running.set(c.name, id);
  }

  for (let i = 0; i < WARMUP + N; i++) {
    const keep = i >= WARMUP;
    // Rotate the order so no configuration always runs right after another's teardown.
    const order = configs.map((_, k) => configs[(k + i) % configs.length]!);
    for (const c of order) {
      const runId = nextId(c, 'run');
      const run = timed(c, ['run', '--rm', ...runArgs(c), BUSYBOX_IMAGE, runId, 'true']);
      if (Number.isNaN(run)) remove(runId, on(c));
      await checkpoint();
      const exec = timed(c, ['task', 'exec', '--exec-id', `e${seq++}`, running.get(c.name)!, 'true']);
      await checkpoint();
      const mem = memory(c);
      await checkpoint();
      if (!keep) continue;
      if (!Number.isNaN(run)) add(c.name, 'run', run);
      if (!Number.isNaN(exec)) add(c.name, 'exec', exec);
      add(c.name, 'rss', mem.rss);
      add(c.name, 'pss', mem.pss);
    }
    process.stderr.write(`\rround ${i + 1}/${WARMUP + N}${keep ? '' : ' (warm-up)'}  `);
  }
  process.stderr.write('\n');

  const rows: [string, Op][] = [
    ['ctr run --rm IMAGE id true (ms)', 'run'],
    ['ctr task exec true (ms)', 'exec'],
    [`RSS per container, ${RSS_CONTAINERS} running (MiB)`, 'rss'],
    [`PSS per container, ${RSS_CONTAINERS} running (MiB)`, 'pss'],
  ];
  const names = configs.map((c) => c.name);
  const base = names[0]!;
  const result: Record<string, Record<string, Summary | null>> = {};
  const fmt = (s: Summary | null | undefined): string => (s ? `${s.median.toFixed(1)} (${s.p10.toFixed(1)}-${s.p90.toFixed(1)})` : 'n/a');
  const header = ['measure', ...names, ...names.slice(1).map((n) => `${n}/${base}`)];
  const lines: string[][] = [header];
  for (const [label, op] of rows) {
    result[op] = {};
    for (const n of names) {
      const v = samples.get(n)?.get(op);
      result[op]![n] = v && v.length ? summarize(v) : null;
    }
    const ratio = (n: string): string => {
      const a = result[op]![n]?.median;
      const b = result[op]![base]?.median;
      return a !== undefined && b !== undefined ? (a / b).toFixed(2) : 'n/a';
    };
    lines.push([label, ...names.map((n) => fmt(result[op]![n])), ...names.slice(1).map(ratio)]);
  }
  const widths = header.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  console.log(lines.map((l) => l.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')).join('\n'));
  console.log(`\nmedians of ${N} interleaved samples after ${WARMUP} warm-up rounds (10th-90th percentile in brackets); containerd ${spawnSync('containerd', ['--version'], { encoding: 'utf8' }).stdout.trim().split(' ')[2] ?? '?'}, ctr through a private containerd`);
  console.log(`memory: VmRSS (and PSS from smaps_rollup) of the shims serving ${RSS_CONTAINERS} sleep containers and any process below them that is not a container, summed, divided by the running containers they serve`);
  for (const c of configs) console.log(`${c.name}: ${c.note}`);
  for (const s of skipped) console.log(`skipped ${s}`);
  for (const f of failures) console.log(`failed (sample dropped) ${f}`);
  writeFileSync(
    join(REPO, 'bench', 'containerd-results.json'),
    JSON.stringify({ date: new Date().toISOString(), n: N, warmup: WARMUP, memoryContainers: RSS_CONTAINERS, notes: Object.fromEntries(configs.map((c) => [c.name, c.note])), skipped, failures, results: result }, null, 2) + '\n',
  );
} catch (e) {
  console.error(`\nbench:containerd: ${e instanceof Error ? e.message : String(e)}`);
  exitCode = 1;
} finally {
  for (const c of configs) {
    const id = running.get(c.name);
    if (id !== undefined) remove(id, on(c));
  }
  await ctdNs.stop();
  await ctd.stop();
}
process.exit(exitCode);
