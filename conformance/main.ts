// npm run conformance: every case against each runtime (runts, runc, crun by
// default), a table of PASS/FAIL/SKIP/XFAIL/XPASS with totals, and
// conformance/results.json. Exit status 1 only when a runts case fails that
// conformance/xfail.ts does not list; runc and crun are for comparison.
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, type Options } from './args.ts';
import { ALL_CASES } from './cases/index.ts';
import { removeCgroupTree } from './cgroupfs.ts';
import { Ctx, env, SUITE_CGROUP, Skip } from './context.ts';
import { printDetails, printTable, writeJson, type CaseResult, type Results } from './report.ts';
import { pickRuntimes, type Runtime } from './runtimes.ts';
import { XFAIL } from './xfail.ts';
import { spawnSync } from 'node:child_process';

const REPO = resolve(import.meta.dirname, '..');

let opts: Options;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}
if (process.getuid?.() !== 0) {
  console.error('conformance: must run as root (it creates real containers)');
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'runts-conformance-'));
// Containers with a user namespace run as an unmapped host uid: it must be able to reach the rootfs.
chmodSync(work, 0o755);
const { use, missing } = pickRuntimes(REPO, join(work, 'state'), opts.runtimes, opts.only);
if (missing.includes('runts')) {
  console.error(`conformance: runts is not runnable (${join(REPO, 'dist', 'runts.js')}): run \`npm run build\` first`);
  rmSync(work, { recursive: true, force: true });
  process.exit(2);
}

/** Deletes whatever the runtimes still hold, the suite's cgroups and temp dir. */
function cleanupAll(): void {
  for (const rt of use) {
    if (!existsSync(rt.root)) continue;
    for (const id of readdirSync(rt.root)) {
      const [cmd, ...args] = rt.argv(['delete', '--force', id]);
      spawnSync(cmd!, args, { env, stdio: 'ignore', timeout: 20_000 });
    }
  }
  removeCgroupTree(SUITE_CGROUP);
  rmSync(work, { recursive: true, force: true });
}

let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    interrupted = true;
  });
}

const cases = ALL_CASES.filter((c) => opts.filter.length === 0 || opts.filter.some((f) => c.name.includes(f)));
const dupes = cases.map((c) => c.name).filter((n, i, a) => a.indexOf(n) !== i);
if (dupes.length > 0) throw new Error(`duplicate case names: ${dupes.join(', ')}`);

const results: Results = new Map();
const t0 = Date.now();
try {
  let i = 0;
  for (const c of cases) {
    if (interrupted) break;
    const row = new Map<string, CaseResult>();
    results.set(c.name, row);
    for (const rt of use) {
      row.set(rt.name, await runOne(c, rt, join(work, rt.name, `case${i}`)));
    }
    i++;
    const cells = use.map((rt) => `${rt.name} ${row.get(rt.name)!.outcome}`).join('  ');
    process.stderr.write(`[${i}/${cases.length}] ${c.name}: ${cells}\n`);
  }
} finally {
  cleanupAll();
}

async function runOne(c: (typeof cases)[number], rt: Runtime, dir: string): Promise<CaseResult> {
  const ctx = new Ctx(rt, dir);
  const start = Date.now();
  let outcome: CaseResult;
  try {
    await c.run(ctx);
    outcome = { outcome: 'PASS', ms: 0 };
  } catch (e) {
    outcome = e instanceof Skip ? { outcome: 'SKIP', ms: 0, detail: e.message } : { outcome: 'FAIL', ms: 0, detail: (e as Error).message };
  } finally {
    ctx.finish();
  }
  outcome.ms = Date.now() - start;
  const xfail = rt.name === 'runts' ? XFAIL[c.name] : undefined;
  if (xfail !== undefined) {
    if (outcome.outcome === 'FAIL') outcome = { ...outcome, outcome: 'XFAIL', detail: `expected to fail until ${xfail}: ${outcome.detail}` };
    else if (outcome.outcome === 'PASS') outcome = { ...outcome, outcome: 'XPASS', detail: `listed in conformance/xfail.ts (${xfail}) but passes` };
  }
  return outcome;
}

const names = use.map((r) => r.name);
const out = (l: string): void => void process.stdout.write(`${l}\n`);
printTable(results, names, out);
printDetails(results, names, out);
if (missing.length > 0) out(`\nnot run (not installed or not runnable): ${missing.join(', ')}`);
const file = join(REPO, 'conformance', 'results.json');
writeJson(file, results, { date: new Date().toISOString(), seconds: Math.round((Date.now() - t0) / 1000), runtimes: names, missing, xfail: XFAIL });
out(`\n${cases.length} cases, ${Math.round((Date.now() - t0) / 1000)} s; results in ${file}`);

const runtsFailures = [...results.values()].filter((m) => m.get('runts')?.outcome === 'FAIL').length;
if (interrupted) process.exit(130);
process.exit(runtsFailures > 0 ? 1 : 0);
