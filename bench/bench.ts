// npm run bench: runts, runc and crun side by side on the work a container
// platform does all day, interleaved (A B C A B C ...) after a warm-up, as
// medians with the 10th-90th percentile spread and the ratio to runc.
// Results: a table on stdout and bench/results.json. Never part of a test.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runtimes, type Runtime } from './runtimes.ts';
import { summarize, type Summary } from './stats.ts';

const REPO = resolve(import.meta.dirname, '..');
const N = Number(process.env.BENCH_N ?? 15);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const PARALLEL_TOTAL = 50;
const PARALLEL = 4;

const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS; // costs ~80 ms a Node start on the development machines
delete env.NODE_OPTIONS;

const work = mkdtempSync(join(tmpdir(), 'runts-bench-'));
const errFile = join(work, 'stderr');

function bundle(name: string, args: string[]): string {
  const dir = join(work, name);
  const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'make-bundle.mjs'), dir, ...args], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`make-bundle: ${r.stderr}`);
  // crun 1.8 knows runtime-spec versions up to 1.0.x only.
  const spec = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  spec.ociVersion = '1.0.2';
  writeFileSync(join(dir, 'config.json'), JSON.stringify(spec));
  return dir;
}

/** Runs argv to completion; stdout to /dev/null (a detached container keeps it open), stderr kept for errors. */
function timed(argv: string[]): number {
  const fd = openSync(errFile, 'w');
  try {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'ignore', fd] });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${argv.join(' ')}: exit ${r.status}: ${readFileSync(errFile, 'utf8')}`);
    return ms;
  } finally {
    closeSync(fd);
  }
}

function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

let seq = 0;
const id = (rt: Runtime, what: string): string => `b${process.pid}-${rt.name}-${what}-${seq++}`;

const B_TRUE = bundle('true', ['true']);
const B_SLEEP = bundle('sleep', ['sleep', '100000']);
const all = runtimes(REPO, join(work, 'state'));
const supportsExec = (rt: Runtime): boolean => rt.name !== 'runts' || spawnSync(rt.argv(['exec', '--help'])[0]!, rt.argv(['exec', '--help']).slice(1), { env, stdio: 'ignore' }).status === 0;

type Op = 'floor' | 'run' | 'lifecycle' | 'create' | 'start' | 'delete' | 'exec' | 'state' | 'rss';
const samples = new Map<string, Map<Op, number[]>>();
const add = (rt: string, op: Op, v: number): void => {
  if (!samples.has(rt)) samples.set(rt, new Map());
  const m = samples.get(rt)!;
  if (!m.has(op)) m.set(op, []);
  m.get(op)!.push(v);
};

// One running container per runtime for state and exec.
const running = new Map<string, string>();
for (const rt of all) {
  const cid = id(rt, 'bg');
  timed(rt.argv(['run', '-d', '-b', B_SLEEP, cid]));
  running.set(rt.name, cid);
}

/** The containerd sequence; each command's own time too. */
function lifecycle(rt: Runtime): { total: number; create: number; start: number; delete: number } {
  const cid = id(rt, 'lc');
  const pidFile = join(work, `${cid}.pid`);
  const create = timed(rt.argv(['create', '-b', B_TRUE, '--pid-file', pidFile, cid]));
  const pid = Number(readFileSync(pidFile, 'utf8'));
  const start = timed(rt.argv(['start', cid]));
  const t0 = process.hrtime.bigint();
  while (!gone(pid)) {
    /* spin: the exit is what is measured */
  }
  const wait = Number(process.hrtime.bigint() - t0) / 1e6;
  const del = timed(rt.argv(['delete', cid]));
  return { total: create + start + wait + del, create, start, delete: del };
}

function peakRss(rt: Runtime): number {
  const cid = id(rt, 'rss');
  const fd = openSync(errFile, 'w');
  try {
    const r = spawnSync('/usr/bin/time', ['-f', '%M', ...rt.argv(['create', '-b', B_TRUE, cid])], { env, stdio: ['ignore', 'ignore', fd] });
    if (r.status !== 0) throw new Error(`create under /usr/bin/time: ${readFileSync(errFile, 'utf8')}`);
  } finally {
    closeSync(fd);
  }
  const kb = Number(readFileSync(errFile, 'utf8').trim().split('\n').at(-1));
  timed(rt.argv(['delete', '--force', cid]));
  return kb / 1024;
}

async function throughput(rt: Runtime): Promise<number> {
  const t0 = process.hrtime.bigint();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < PARALLEL_TOTAL) {
      next++;
      const argv = rt.argv(['run', '-b', B_TRUE, id(rt, 'par')]);
      const code = await new Promise<number | null>((r) => spawn(argv[0]!, argv.slice(1), { env, stdio: 'ignore' }).once('exit', r));
      if (code !== 0) throw new Error(`${rt.name} run exited ${code}`);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return PARALLEL_TOTAL / (Number(process.hrtime.bigint() - t0) / 1e9);
}

const haveTime = existsSync('/usr/bin/time');
try {
  for (let i = 0; i < WARMUP + N; i++) {
    const keep = i >= WARMUP;
    // Rotate the order so no runtime always runs right after another's teardown.
    const order = all.map((_, k) => all[(k + i) % all.length]!);
    const floor = timed([process.execPath, '-e', '0']);
    if (keep) add('node', 'floor', floor);
    for (const rt of order) {
      const run = timed(rt.argv(['run', '-b', B_TRUE, id(rt, 'run')]));
      const lc = lifecycle(rt);
      const st = timed(rt.argv(['state', running.get(rt.name)!]));
      const ex = supportsExec(rt) ? timed(rt.argv(['exec', running.get(rt.name)!, 'true'])) : NaN;
      const rss = haveTime ? peakRss(rt) : NaN;
      if (!keep) continue;
      add(rt.name, 'run', run);
      add(rt.name, 'lifecycle', lc.total);
      add(rt.name, 'create', lc.create);
      add(rt.name, 'start', lc.start);
      add(rt.name, 'delete', lc.delete);
      add(rt.name, 'state', st);
      if (!Number.isNaN(ex)) add(rt.name, 'exec', ex);
      if (!Number.isNaN(rss)) add(rt.name, 'rss', rss);
    }
  }
  const tput = new Map<string, number[]>();
  for (let round = 0; round < 3; round++) {
    for (const rt of all) {
      const v = await throughput(rt);
      tput.set(rt.name, [...(tput.get(rt.name) ?? []), v]);
    }
  }

  const rows: [string, Op | 'throughput', string][] = [
    ['run /bin/true (ms)', 'run', 'ms'],
    ['create+start+wait+delete (ms)', 'lifecycle', 'ms'],
    ['  of which create (ms)', 'create', 'ms'],
    ['  of which start (ms)', 'start', 'ms'],
    ['  of which delete (ms)', 'delete', 'ms'],
    ['exec /bin/true (ms)', 'exec', 'ms'],
    ['state (ms)', 'state', 'ms'],
    [`${PARALLEL_TOTAL} runs, ${PARALLEL} parallel (containers/s)`, 'throughput', '/s'],
    ['peak RSS of create (MiB)', 'rss', 'MiB'],
  ];
  const result: Record<string, Record<string, Summary | null>> = {};
  const fmt = (s: Summary | null | undefined): string => (s ? `${s.median.toFixed(1)} (${s.p10.toFixed(1)}-${s.p90.toFixed(1)})` : 'n/a');
  const names = all.map((r) => r.name);
  const header = ['measure', ...names, ...names.filter((n) => n !== 'runc').map((n) => `${n}/runc`)];
  const lines: string[][] = [header];
  for (const [label, op] of rows) {
    result[op] = {};
    for (const n of names) {
      const v = op === 'throughput' ? tput.get(n) : samples.get(n)?.get(op as Op);
      result[op]![n] = v && v.length ? summarize(v) : null;
    }
    const ratio = (n: string): string => {
      const a = result[op]![n]?.median;
      const b = result[op]!.runc?.median;
      return a !== undefined && b !== undefined ? (a / b).toFixed(2) : 'n/a';
    };
    lines.push([label, ...names.map((n) => fmt(result[op]![n])), ...names.filter((n) => n !== 'runc').map(ratio)]);
  }
  const floor = summarize(samples.get('node')!.get('floor')!);
  const widths = header.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  console.log(lines.map((l) => l.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')).join('\n'));
  const above = (['run', 'create', 'start', 'delete', 'exec', 'state'] as const)
    .filter((op) => result[op]?.runts)
    .map((op) => `${op} ${(result[op]!.runts!.median - floor.median).toFixed(1)}`);
  console.log(`\nfloor: node -e 0 = ${fmt(floor)} ms; runts above the floor (ms): ${above.join(', ')}`);
  console.log(`medians of ${N} interleaved samples after ${WARMUP} warm-up rounds (10th-90th percentile in brackets); throughput: 3 rounds`);
  for (const rt of all) if (rt.note) console.log(`${rt.name}: ${rt.note}`);
  writeFileSync(
    join(REPO, 'bench', 'results.json'),
    JSON.stringify({ date: new Date().toISOString(), n: N, warmup: WARMUP, floorMs: floor, notes: Object.fromEntries(all.map((r) => [r.name, r.note])), results: result }, null, 2) + '\n',
  );
} finally {
  for (const rt of all) {
    const cid = running.get(rt.name);
    if (cid) spawnSync(rt.argv(['delete', '--force', cid])[0]!, rt.argv(['delete', '--force', cid]).slice(1), { env, stdio: 'ignore' });
  }
  rmSync(work, { recursive: true, force: true });
}
