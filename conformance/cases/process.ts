// process: args, cwd, env, user and groups, umask, exit status, rlimits,
// oom_score_adj, no_new_privileges, hostname/domainname, as seen from inside.
import { eq, kv, ok, skip, type Ctx } from '../context.ts';
import type { Case } from '../case.ts';
import { limitText, parseLimits, RLIMIT_NAMES } from '../linux.ts';
import { readFileSync } from 'node:fs';
import { U64_MAX, type Json } from '../bundle.ts';

function statusField(t: Ctx, field: string, edit: (s: Json) => void): string {
  const r = t.run(`grep '^${field}:' /proc/self/status`, edit);
  return r.stdout.split(':')[1]?.trim() ?? '';
}

/** Raising a hard limit needs CAP_SYS_RESOURCE, which a runtime run in a sandbox may lack: stay within the caller's. */
function withinCallers(limits: { type: string; soft: number; hard: number }[]): { type: string; soft: number; hard: number }[] {
  if (hasCap(24)) return limits;
  const host = parseLimits(readFileSync('/proc/self/limits', 'utf8'));
  return limits.map((l) => {
    const h = host.get(RLIMIT_NAMES[l.type]!)?.[1];
    const max = h === undefined || h === 'unlimited' ? Infinity : Number(h);
    const hard = Math.min(l.hard, max);
    return { ...l, hard, soft: Math.min(l.soft, hard) };
  });
}

/** Whether this process has capability number `n` in its effective set. */
function hasCap(n: number): boolean {
  const eff = /CapEff:\s+([0-9a-f]+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0';
  return ((BigInt(`0x${eff}`) >> BigInt(n)) & 1n) === 1n;
}

function rlimitCase(name: string, wanted: { type: string; soft: number; hard: number }[]): Case {
  return {
    name,
    run: (t) => {
      const limits = withinCallers(wanted);
      const inSpec = limits.map((l) => ({ ...l, soft: l.soft >= 2 ** 64 - 1 ? U64_MAX : l.soft, hard: l.hard >= 2 ** 64 - 1 ? U64_MAX : l.hard }));
      const r = t.run('cat /proc/self/limits', (s) => (s.process.rlimits = inSpec));
      const got = parseLimits(r.stdout);
      for (const l of limits) {
        const row = got.get(RLIMIT_NAMES[l.type]!);
        eq(row, [limitText(l.soft), limitText(l.hard)], l.type);
      }
    },
  };
}

export const processCases: Case[] = [
  {
    name: 'process/args',
    run: (t) => {
      const r = t.run('', (s) => (s.process.args = ['sh', '-c', 'printf "[%s]" "$@"', 'zero', 'a b', "c'd", '$HOME', '']));
      eq(r.stdout, "[a b][c'd][$HOME][]", 'argv as the container sees it');
    },
  },
  {
    name: 'process/exit-status',
    run: (t) => {
      const r = t.run('exit 42', undefined, { allowFail: true });
      eq(r.status, 42, 'run exit status');
    },
  },
  {
    name: 'process/cwd',
    run: (t) => eq(t.run('pwd', (s) => (s.process.cwd = '/tmp')).stdout.trim(), '/tmp', 'cwd'),
  },
  {
    name: 'process/env',
    run: (t) => {
      const env = ['PATH=/bin:/sbin', 'FOO=bar', 'SPACED=a b  c', 'EMPTY='];
      const r = t.run('env', (s) => (s.process.env = env));
      const got = r.stdout.split('\n').filter((l) => l !== '' && !l.startsWith('HOME=') && !l.startsWith('PWD=') && !l.startsWith('SHLVL='));
      eq(got.sort(), [...env].sort(), 'environment (HOME/PWD/SHLVL aside)');
    },
  },
  {
    name: 'process/user-uid-gid',
    run: (t) => {
      const r = t.run('echo uid=$(id -u) gid=$(id -g); grep -E "^(Uid|Gid):" /proc/self/status', (s) => (s.process.user = { uid: 1000, gid: 1000 }));
      ok(r.stdout.startsWith('uid=1000 gid=1000'), `id: ${r.stdout.split('\n')[0]}`);
      ok(/Uid:\s+1000\s+1000\s+1000\s+1000/.test(r.stdout), `Uid line: ${r.stdout}`);
      ok(/Gid:\s+1000\s+1000\s+1000\s+1000/.test(r.stdout), `Gid line: ${r.stdout}`);
    },
  },
  {
    name: 'process/additional-gids',
    run: (t) => {
      const g = statusField(t, 'Groups', (s) => (s.process.user = { uid: 1000, gid: 1000, additionalGids: [2000, 3000] }));
      eq(g.split(/\s+/).sort(), ['2000', '3000'], 'supplementary groups');
    },
  },
  {
    name: 'process/root-no-supplementary-groups',
    run: (t) => eq(statusField(t, 'Groups', () => {}), '', 'supplementary groups of uid 0 without additionalGids'),
  },
  {
    name: 'process/umask',
    run: (t) => eq(t.run('umask', (s) => (s.process.user.umask = 0o027)).stdout.trim(), '0027', 'umask'),
  },
  {
    name: 'process/umask-default',
    run: (t) => eq(t.run('umask').stdout.trim(), '0022', 'umask without process.user.umask'),
  },
  {
    name: 'process/home-from-passwd',
    run: (t) => {
      const r = t.run('echo "$HOME"', (s) => (s.process.user = { uid: 1000, gid: 1000 }));
      eq(r.stdout.trim(), '/home/conf', 'HOME for uid 1000 (no HOME in process.env)');
    },
  },
  {
    name: 'process/no-new-privileges-true',
    run: (t) => eq(statusField(t, 'NoNewPrivs', (s) => (s.process.noNewPrivileges = true)), '1', 'NoNewPrivs'),
  },
  {
    name: 'process/no-new-privileges-false',
    run: (t) => eq(statusField(t, 'NoNewPrivs', (s) => (s.process.noNewPrivileges = false)), '0', 'NoNewPrivs'),
  },
  {
    name: 'process/oom-score-adj',
    run: (t) => eq(t.run('cat /proc/self/oom_score_adj', (s) => (s.process.oomScoreAdj = 500)).stdout.trim(), '500', 'oom_score_adj'),
  },
  {
    name: 'process/oom-score-adj-negative',
    run: (t) => {
      if (!hasCap(24)) skip('lowering oom_score_adj needs CAP_SYS_RESOURCE, which this caller lacks');
      eq(t.run('cat /proc/self/oom_score_adj', (s) => (s.process.oomScoreAdj = -250)).stdout.trim(), '-250', 'oom_score_adj');
    },
  },
  rlimitCase('process/rlimit-nofile', [{ type: 'RLIMIT_NOFILE', soft: 512, hard: 768 }]),
  rlimitCase('process/rlimit-core-unlimited', [{ type: 'RLIMIT_CORE', soft: 2 ** 64 - 1, hard: 2 ** 64 - 1 }]),
  rlimitCase('process/rlimits-all', [
    { type: 'RLIMIT_CPU', soft: 3600, hard: 7200 },
    { type: 'RLIMIT_FSIZE', soft: 1 << 30, hard: 2 ** 31 },
    { type: 'RLIMIT_DATA', soft: 2 ** 34, hard: 2 ** 35 },
    { type: 'RLIMIT_STACK', soft: 8 << 20, hard: 16 << 20 },
    { type: 'RLIMIT_CORE', soft: 1 << 20, hard: 2 << 20 },
    { type: 'RLIMIT_RSS', soft: 2 ** 34, hard: 2 ** 35 },
    { type: 'RLIMIT_NPROC', soft: 4096, hard: 8192 },
    { type: 'RLIMIT_NOFILE', soft: 1000, hard: 2000 },
    { type: 'RLIMIT_MEMLOCK', soft: 1 << 20, hard: 2 << 20 },
    { type: 'RLIMIT_AS', soft: 2 ** 40, hard: 2 ** 41 },
    { type: 'RLIMIT_LOCKS', soft: 1000, hard: 2000 },
    { type: 'RLIMIT_SIGPENDING', soft: 1000, hard: 2000 },
    { type: 'RLIMIT_MSGQUEUE', soft: 819200, hard: 819200 },
    { type: 'RLIMIT_NICE', soft: 0, hard: 10 },
    { type: 'RLIMIT_RTPRIO', soft: 0, hard: 5 },
    { type: 'RLIMIT_RTTIME', soft: 1000000, hard: 2000000 },
  ]),
  {
    name: 'process/hostname',
    run: (t) => eq(t.run('hostname', (s) => (s.hostname = 'conf-host')).stdout.trim(), 'conf-host', 'hostname'),
  },
  {
    name: 'process/domainname',
    run: (t) => {
      const r = t.run('cat /proc/sys/kernel/domainname', (s) => (s.domainname = 'conf.example'));
      eq(r.stdout.trim(), 'conf.example', 'domainname');
    },
  },
  {
    name: 'process/stdio-and-fds',
    run: (t) => {
      // Only 0, 1, 2 (and the shell's own directory fd for ls) are open.
      const r = t.run('ls /proc/self/fd');
      const fds = r.stdout.split(/\s+/).filter((x) => x !== '').map(Number).sort((a, b) => a - b);
      ok(fds.slice(0, 3).join(',') === '0,1,2' && fds.length <= 4, `open fds: ${fds.join(',')}`);
    },
  },
  {
    name: 'process/pid-1',
    run: (t) => eq(t.run('echo $$').stdout.trim(), '1', 'the process is pid 1 in its pid namespace'),
  },
  {
    name: 'process/user-root',
    // Uid/Gid of root and a process with no capabilities in its ambient set but no user change.
    run: (t) => {
      const m = kv(t.run('grep -E "^(Uid|Gid)" /proc/self/status').stdout, ':');
      ok(/^0\s+0\s+0\s+0$/.test(m.get('Uid') ?? ''), `Uid: ${m.get('Uid')}`);
      ok(/^0\s+0\s+0\s+0$/.test(m.get('Gid') ?? ''), `Gid: ${m.get('Gid')}`);
    },
  },
];
