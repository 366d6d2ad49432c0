// `runc events --stats` data, from v1 or v2 files.
//
// The shape and the JSON field names are runc 1.1.5's, taken from what it
// prints on this host for a running container (test/fixtures/cgroups/
// v1-runc/runc-events-stats.json and v1-blkio/): snake_case for cpu, cpuset,
// memory and pids, camelCase for blkio ("ioServiceBytesRecursive"), Go's
// omitempty where the output shows it (throttling fields, pids, blkio entry
// fields, memory usage/max, cache), maps with sorted keys (memory.raw,
// hugetlb). Counters are uint64 in Go and can exceed 2^53 (v2's "max" is
// reported as 2^64-1), so they are bigints here and formatStatsEvent writes
// their exact digits: a rounded 18446744073709552000 would not even parse
// as a uint64 in containerd.
//
// v1 sources: cpuacct.usage, cpuacct.usage_percpu, cpuacct.usage_all (or
// usage_percpu_sys/_user), cpuacct.stat (USER_HZ ticks -> ns), cpu.stat,
// cpuset.*, memory.{,memsw.,kmem.,kmem.tcp.}{limit_in_bytes,usage_in_bytes,
// max_usage_in_bytes,failcnt}, memory.stat, pids.current/max, blkio
// *_recursive (CFQ, else BFQ, else throttle: the first with entries),
// hugetlb.<size>.{usage_in_bytes,max_usage_in_bytes,failcnt}.
// v2 sources (Documentation/admin-guide/cgroup-v2.rst formats): cpu.stat
// (usec -> ns), memory.current/max/peak/events, memory.swap.current/max/
// events (swap reported as memory+swap, v1's meaning), memory.stat,
// pids.current/max, io.stat (rbytes/wbytes/rios/wios -> Read/Write entries),
// hugetlb.<size>.current/events.
import { join } from 'node:path';
import { CgroupError, type CgroupFs } from './fs.js';

export type U64 = bigint;

export interface CpuUsage {
  total?: U64;
  percpu?: U64[];
  percpu_kernel?: U64[];
  percpu_user?: U64[];
  kernel: U64;
  user: U64;
}

export interface Throttling {
  periods?: U64;
  throttled_periods?: U64;
  throttled_time?: U64;
}

export interface CpusetStats {
  cpus?: number[];
  cpu_exclusive: U64;
  mems?: number[];
  mem_hardwall: U64;
  mem_exclusive: U64;
  memory_migrate: U64;
  memory_spread_page: U64;
  memory_spread_slab: U64;
  memory_pressure: U64;
  sched_load_balance: U64;
  sched_relax_domain_level: bigint;
}

export interface MemoryEntry {
  limit: U64;
  usage?: U64;
  max?: U64;
  failcnt: U64;
}

export interface MemoryStats {
  cache?: U64;
  usage: MemoryEntry;
  swap: MemoryEntry;
  kernel: MemoryEntry;
  kernelTCP: MemoryEntry;
  raw?: Record<string, U64>;
}

export interface PidsStats {
  current?: U64;
  limit?: U64;
}

export interface BlkioEntry {
  major?: U64;
  minor?: U64;
  op?: string;
  value?: U64;
}

export interface BlkioStats {
  ioServiceBytesRecursive?: BlkioEntry[];
  ioServicedRecursive?: BlkioEntry[];
  ioQueueRecursive?: BlkioEntry[];
  ioServiceTimeRecursive?: BlkioEntry[];
  ioWaitTimeRecursive?: BlkioEntry[];
  ioMergedRecursive?: BlkioEntry[];
  ioTimeRecursive?: BlkioEntry[];
  sectorsRecursive?: BlkioEntry[];
}

export interface HugetlbStats {
  usage?: U64;
  max?: U64;
  failcnt: U64;
}

export interface CgroupStats {
  cpu: { usage: CpuUsage; throttling: Throttling };
  cpuset: CpusetStats;
  memory: MemoryStats;
  pids: PidsStats;
  blkio: BlkioStats;
  hugetlb: Record<string, HugetlbStats>;
  intel_rdt: Record<string, never>;
  network_interfaces: null;
}

const U64_MAX = (1n << 64n) - 1n;
/** USER_HZ: cpuacct.stat counts in 1/100 s on every Linux ABI. */
const NS_PER_TICK = 10_000_000n;

// ---- pure parsers -------------------------------------------------------

/** "key value" lines (memory.stat, cpu.stat, cpuacct.stat, *.events). */
export function parseKeyValues(text: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(-?\d+)\s*$/.exec(line);
    if (m) out.set(m[1]!, BigInt(m[2]!));
  }
  return out;
}

/** Whitespace-separated counters (cpuacct.usage_percpu). */
export function parseU64List(text: string): bigint[] {
  return text
    .trim()
    .split(/\s+/)
    .filter((t) => t !== '')
    .map((t) => BigInt(t));
}

/** A single counter; "max" (v2 limits) becomes `max`. */
export function parseU64(text: string, max: bigint = U64_MAX): bigint {
  const t = text.trim();
  return t === 'max' ? max : BigInt(t);
}

/** cpuacct.usage_all: "cpu user system" header, then one row per CPU. */
export function parseUsageAll(text: string): { user: bigint[]; system: bigint[] } {
  const user: bigint[] = [];
  const system: bigint[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 3) continue;
    user.push(BigInt(f[1]!));
    system.push(BigInt(f[2]!));
  }
  return { user, system };
}

/** "0-3,7" -> [0,1,2,3,7]. */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',')) {
    if (part === '') continue;
    const [a, b] = part.split('-');
    const lo = Number(a);
    const hi = b === undefined ? lo : Number(b);
    if (!Number.isInteger(lo) || !Number.isInteger(hi)) continue;
    for (let i = lo; i <= hi; i++) out.push(i);
  }
  return out;
}

function blkioEntry(major: bigint, minor: bigint, op: string, value: bigint): BlkioEntry {
  return {
    ...(major ? { major } : {}),
    ...(minor ? { minor } : {}),
    ...(op ? { op } : {}),
    ...(value ? { value } : {}),
  };
}

/** v1 blkio *_recursive: "MAJ:MIN Op VALUE" or "MAJ:MIN VALUE"; the device-less "Total" line is dropped. */
export function parseBlkioV1(text: string): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const dev = /^(\d+):(\d+)$/.exec(f[0] ?? '');
    if (!dev) continue;
    if (f.length === 3) out.push(blkioEntry(BigInt(dev[1]!), BigInt(dev[2]!), f[1]!, BigInt(f[2]!)));
    else if (f.length === 2) out.push(blkioEntry(BigInt(dev[1]!), BigInt(dev[2]!), '', BigInt(f[1]!)));
  }
  return out;
}

/** v2 io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N" per device, as numbers. */
export function ioStatDevices(text: string): { major: bigint; minor: bigint; kv: Map<string, bigint> }[] {
  const out: { major: bigint; minor: bigint; kv: Map<string, bigint> }[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const dev = /^(\d+):(\d+)$/.exec(f[0] ?? '');
    if (!dev) continue;
    const kv = new Map<string, bigint>();
    for (const t of f.slice(1)) {
      const m = /^(\w+)=(\d+)$/.exec(t);
      if (m) kv.set(m[1]!, BigInt(m[2]!));
    }
    out.push({ major: BigInt(dev[1]!), minor: BigInt(dev[2]!), kv });
  }
  return out;
}

/** v2 io.stat in runc's blkio shape. */
export function parseIoStat(text: string): { bytes: BlkioEntry[]; ios: BlkioEntry[] } {
  const bytes: BlkioEntry[] = [];
  const ios: BlkioEntry[] = [];
  for (const { major: maj, minor: min, kv } of ioStatDevices(text)) {
    bytes.push(blkioEntry(maj, min, 'Read', kv.get('rbytes') ?? 0n), blkioEntry(maj, min, 'Write', kv.get('wbytes') ?? 0n));
    ios.push(blkioEntry(maj, min, 'Read', kv.get('rios') ?? 0n), blkioEntry(maj, min, 'Write', kv.get('wios') ?? 0n));
  }
  return { bytes, ios };
}

function memoryEntry(limit: bigint, usage: bigint, max: bigint, failcnt: bigint): MemoryEntry {
  return { limit, ...(usage ? { usage } : {}), ...(max ? { max } : {}), failcnt };
}

function sortedRecord(map: Map<string, bigint>): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const k of [...map.keys()].sort()) out[k] = map.get(k)!;
  return out;
}

export function emptyCpuset(): CpusetStats {
  return {
    cpu_exclusive: 0n,
    mem_hardwall: 0n,
    mem_exclusive: 0n,
    memory_migrate: 0n,
    memory_spread_page: 0n,
    memory_spread_slab: 0n,
    memory_pressure: 0n,
    sched_load_balance: 0n,
    sched_relax_domain_level: 0n,
  };
}

function throttling(periods: bigint, throttledPeriods: bigint, throttledTime: bigint): Throttling {
  return {
    ...(periods ? { periods } : {}),
    ...(throttledPeriods ? { throttled_periods: throttledPeriods } : {}),
    ...(throttledTime ? { throttled_time: throttledTime } : {}),
  };
}

function pidsStats(current: bigint, limit: bigint): PidsStats {
  return { ...(current ? { current } : {}), ...(limit ? { limit } : {}) };
}

// ---- collection ---------------------------------------------------------

/** Reads a file, undefined when it does not exist (a controller or kernel feature absent). */
export function readOpt(fs: CgroupFs, dir: string | undefined, file: string): string | undefined {
  if (dir === undefined) return undefined;
  try {
    return fs.read(join(dir, file));
  } catch (e) {
    if (e instanceof CgroupError && (e.code === 'ENOENT' || e.code === 'ENODEV' || e.code === 'EOPNOTSUPP')) return undefined;
    throw e;
  }
}

export function u64Opt(fs: CgroupFs, dir: string | undefined, file: string, max?: bigint): bigint {
  const t = readOpt(fs, dir, file);
  return t === undefined || t.trim() === '' ? 0n : parseU64(t, max);
}

export function listFiles(fs: CgroupFs, dir: string | undefined): string[] {
  if (dir === undefined) return [];
  try {
    return fs.files(dir);
  } catch {
    return [];
  }
}

/** v1 hierarchy directories by controller (any may be absent). */
export interface V1StatDirs {
  cpu?: string;
  cpuacct?: string;
  cpuset?: string;
  memory?: string;
  pids?: string;
  blkio?: string;
  hugetlb?: string;
}

const BLKIO_V1_SETS: { probe: string; files: [keyof BlkioStats, string][] }[] = [
  {
    probe: 'blkio.io_serviced_recursive', // CFQ (kernels before 5.0)
    files: [
      ['ioServiceBytesRecursive', 'blkio.io_service_bytes_recursive'],
      ['ioServicedRecursive', 'blkio.io_serviced_recursive'],
      ['ioQueueRecursive', 'blkio.io_queued_recursive'],
      ['ioServiceTimeRecursive', 'blkio.io_service_time_recursive'],
      ['ioWaitTimeRecursive', 'blkio.io_wait_time_recursive'],
      ['ioMergedRecursive', 'blkio.io_merged_recursive'],
      ['ioTimeRecursive', 'blkio.time_recursive'],
      ['sectorsRecursive', 'blkio.sectors_recursive'],
    ],
  },
  {
    probe: 'blkio.bfq.io_serviced_recursive',
    files: [
      ['ioServiceBytesRecursive', 'blkio.bfq.io_service_bytes_recursive'],
      ['ioServicedRecursive', 'blkio.bfq.io_serviced_recursive'],
      ['ioQueueRecursive', 'blkio.bfq.io_queued_recursive'],
      ['ioServiceTimeRecursive', 'blkio.bfq.io_service_time_recursive'],
      ['ioWaitTimeRecursive', 'blkio.bfq.io_wait_time_recursive'],
      ['ioMergedRecursive', 'blkio.bfq.io_merged_recursive'],
      ['ioTimeRecursive', 'blkio.bfq.time_recursive'],
      ['sectorsRecursive', 'blkio.bfq.sectors_recursive'],
    ],
  },
  {
    probe: 'blkio.throttle.io_serviced_recursive',
    files: [
      ['ioServiceBytesRecursive', 'blkio.throttle.io_service_bytes_recursive'],
      ['ioServicedRecursive', 'blkio.throttle.io_serviced_recursive'],
    ],
  },
];

function blkioV1(fs: CgroupFs, dir: string | undefined): BlkioStats {
  for (const set of BLKIO_V1_SETS) {
    const probe = readOpt(fs, dir, set.probe);
    if (probe === undefined || parseBlkioV1(probe).length === 0) continue;
    const out: BlkioStats = {};
    for (const [key, file] of set.files) {
      const text = readOpt(fs, dir, file);
      const entries = text === undefined ? [] : parseBlkioV1(text);
      if (entries.length > 0) out[key] = entries;
    }
    return out;
  }
  return {};
}

export function collectStatsV1(fs: CgroupFs, d: V1StatDirs): CgroupStats {
  // cpu
  const total = u64Opt(fs, d.cpuacct, 'cpuacct.usage');
  const percpuText = readOpt(fs, d.cpuacct, 'cpuacct.usage_percpu');
  const allText = readOpt(fs, d.cpuacct, 'cpuacct.usage_all');
  let percpuKernel: bigint[] = [];
  let percpuUser: bigint[] = [];
  if (allText !== undefined) {
    const all = parseUsageAll(allText);
    percpuKernel = all.system;
    percpuUser = all.user;
  } else {
    const sys = readOpt(fs, d.cpuacct, 'cpuacct.usage_percpu_sys');
    const usr = readOpt(fs, d.cpuacct, 'cpuacct.usage_percpu_user');
    if (sys !== undefined) percpuKernel = parseU64List(sys);
    if (usr !== undefined) percpuUser = parseU64List(usr);
  }
  const ticks = parseKeyValues(readOpt(fs, d.cpuacct, 'cpuacct.stat') ?? '');
  const cpuUsage: CpuUsage = {
    ...(total ? { total } : {}),
    ...(percpuText !== undefined && parseU64List(percpuText).length > 0 ? { percpu: parseU64List(percpuText) } : {}),
    ...(percpuKernel.length > 0 ? { percpu_kernel: percpuKernel } : {}),
    ...(percpuUser.length > 0 ? { percpu_user: percpuUser } : {}),
    kernel: (ticks.get('system') ?? 0n) * NS_PER_TICK,
    user: (ticks.get('user') ?? 0n) * NS_PER_TICK,
  };
  const cpuStat = parseKeyValues(readOpt(fs, d.cpu, 'cpu.stat') ?? '');

  // cpuset
  let cpuset = emptyCpuset();
  if (d.cpuset !== undefined) {
    const n = (f: string) => u64Opt(fs, d.cpuset, `cpuset.${f}`);
    const cpus = parseCpuList(readOpt(fs, d.cpuset, 'cpuset.cpus') ?? '');
    const mems = parseCpuList(readOpt(fs, d.cpuset, 'cpuset.mems') ?? '');
    cpuset = {
      ...(cpus.length ? { cpus } : {}),
      cpu_exclusive: n('cpu_exclusive'),
      ...(mems.length ? { mems } : {}),
      mem_hardwall: n('mem_hardwall'),
      mem_exclusive: n('mem_exclusive'),
      memory_migrate: n('memory_migrate'),
      memory_spread_page: n('memory_spread_page'),
      memory_spread_slab: n('memory_spread_slab'),
      memory_pressure: n('memory_pressure'),
      sched_load_balance: n('sched_load_balance'),
      sched_relax_domain_level: n('sched_relax_domain_level'),
    };
  }

  // memory
  const mem = (prefix: string) =>
    memoryEntry(
      u64Opt(fs, d.memory, `${prefix}limit_in_bytes`),
      u64Opt(fs, d.memory, `${prefix}usage_in_bytes`),
      u64Opt(fs, d.memory, `${prefix}max_usage_in_bytes`),
      u64Opt(fs, d.memory, `${prefix}failcnt`),
    );
  const memStat = parseKeyValues(readOpt(fs, d.memory, 'memory.stat') ?? '');
  const cache = memStat.get('cache') ?? 0n;
  const memory: MemoryStats = {
    ...(cache ? { cache } : {}),
    usage: mem('memory.'),
    swap: mem('memory.memsw.'),
    kernel: mem('memory.kmem.'),
    kernelTCP: mem('memory.kmem.tcp.'),
    ...(memStat.size ? { raw: sortedRecord(memStat) } : {}),
  };

  // hugetlb: the sizes are whatever hugetlb.<size>.usage_in_bytes files exist.
  const hugetlb: Record<string, HugetlbStats> = {};
  const sizes = listFiles(fs, d.hugetlb)
    .map((f) => /^hugetlb\.([^.]+)\.usage_in_bytes$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
  for (const size of sizes) {
    const usageB = u64Opt(fs, d.hugetlb, `hugetlb.${size}.usage_in_bytes`);
    const max = u64Opt(fs, d.hugetlb, `hugetlb.${size}.max_usage_in_bytes`);
    hugetlb[size] = { ...(usageB ? { usage: usageB } : {}), ...(max ? { max } : {}), failcnt: u64Opt(fs, d.hugetlb, `hugetlb.${size}.failcnt`) };
  }

  return {
    cpu: {
      usage: cpuUsage,
      throttling: throttling(cpuStat.get('nr_periods') ?? 0n, cpuStat.get('nr_throttled') ?? 0n, cpuStat.get('throttled_time') ?? 0n),
    },
    cpuset,
    memory,
    pids: pidsStats(u64Opt(fs, d.pids, 'pids.current'), u64Opt(fs, d.pids, 'pids.max', 0n)),
    blkio: blkioV1(fs, d.blkio),
    hugetlb,
    intel_rdt: {},
    network_interfaces: null,
  };
}

export function collectStatsV2(fs: CgroupFs, dir: string): CgroupStats {
  const cpuStat = parseKeyValues(readOpt(fs, dir, 'cpu.stat') ?? '');
  const total = (cpuStat.get('usage_usec') ?? 0n) * 1000n;
  const cpuUsage: CpuUsage = {
    ...(total ? { total } : {}),
    kernel: (cpuStat.get('system_usec') ?? 0n) * 1000n,
    user: (cpuStat.get('user_usec') ?? 0n) * 1000n,
  };

  const memStat = parseKeyValues(readOpt(fs, dir, 'memory.stat') ?? '');
  const memLimit = u64Opt(fs, dir, 'memory.max');
  const memUsage = u64Opt(fs, dir, 'memory.current');
  const memEvents = parseKeyValues(readOpt(fs, dir, 'memory.events') ?? '');
  const swapLimit = u64Opt(fs, dir, 'memory.swap.max');
  const swapUsage = u64Opt(fs, dir, 'memory.swap.current');
  const swapEvents = parseKeyValues(readOpt(fs, dir, 'memory.swap.events') ?? '');
  const cache = memStat.get('file') ?? 0n;
  const memory: MemoryStats = {
    ...(cache ? { cache } : {}),
    usage: memoryEntry(memLimit, memUsage, u64Opt(fs, dir, 'memory.peak'), memEvents.get('max') ?? 0n),
    // v1's memsw meaning: memory + swap, unlimited if either is.
    swap: memoryEntry(
      swapLimit === U64_MAX || memLimit === U64_MAX ? U64_MAX : swapLimit + memLimit,
      swapUsage + memUsage,
      0n,
      swapEvents.get('max') ?? 0n,
    ),
    kernel: memoryEntry(0n, 0n, 0n, 0n),
    kernelTCP: memoryEntry(0n, 0n, 0n, 0n),
    ...(memStat.size ? { raw: sortedRecord(memStat) } : {}),
  };

  const io = parseIoStat(readOpt(fs, dir, 'io.stat') ?? '');
  const blkio: BlkioStats = {
    ...(io.bytes.length ? { ioServiceBytesRecursive: io.bytes } : {}),
    ...(io.ios.length ? { ioServicedRecursive: io.ios } : {}),
  };

  const hugetlb: Record<string, HugetlbStats> = {};
  const sizes = listFiles(fs, dir)
    .map((f) => /^hugetlb\.([^.]+)\.current$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
  for (const size of sizes) {
    const cur = u64Opt(fs, dir, `hugetlb.${size}.current`);
    const events = parseKeyValues(readOpt(fs, dir, `hugetlb.${size}.events`) ?? '');
    hugetlb[size] = { ...(cur ? { usage: cur } : {}), failcnt: events.get('max') ?? 0n };
  }

  return {
    cpu: {
      usage: cpuUsage,
      throttling: throttling(cpuStat.get('nr_periods') ?? 0n, cpuStat.get('nr_throttled') ?? 0n, (cpuStat.get('throttled_usec') ?? 0n) * 1000n),
    },
    cpuset: emptyCpuset(),
    memory,
    pids: pidsStats(u64Opt(fs, dir, 'pids.current'), u64Opt(fs, dir, 'pids.max', 0n)),
    blkio,
    hugetlb,
    intel_rdt: {},
    network_interfaces: null,
  };
}

// ---- output -------------------------------------------------------------

/** JSON with bigints as exact integers, keys in insertion order, undefined members dropped. */
export function exactJSON(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
    case 'boolean':
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : exactJSON(v))).join(',')}]`;
      const parts: string[] = [];
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v === undefined) continue;
        parts.push(`${JSON.stringify(k)}:${exactJSON(v)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new TypeError(`cannot encode ${typeof value} as JSON`);
  }
}

/** One `runc events --stats` line (without the newline). */
export function formatStatsEvent(id: string, stats: CgroupStats): string {
  return exactJSON({ type: 'stats', id, data: stats });
}
