// io.containerd.cgroups.v2.Metrics from a container's cgroup v2 directory
// (formats: Documentation/admin-guide/cgroup-v2.rst). runc's stats shape
// (collectStatsV2) converts v2 into v1's units and meanings (nanoseconds,
// memory+swap), so the v2 message is filled from the files themselves, read
// with stats.ts' helpers: a file that is absent (controller not enabled,
// older kernel, PSI off) leaves its fields 0 or its message unset, as in
// containerd. Limits that read "max" are 2^64-1 (rdma: 2^32-1), as
// containerd reports them.
//
// What containerd's readers use: `ctr task metrics` prints pids, cpu
// usage/user/system/throttling and memory usage/limit/swap; the CRI plugin
// (the kubelet's numbers) takes cpu usage_usec, memory usage, inactive_file
// (working set), anon, pgfault, pgmajfault, and the PSI data where present.
import { create } from '@bufbuild/protobuf';
import type { CgroupFs } from '../cgroups/fs.js';
import { ioStatDevices, listFiles, parseKeyValues, readOpt, u64Opt } from '../cgroups/stats.js';
import * as M from './gen/containerd/cgroups-v2-metrics_pb.js';

const U64_MAX = (1n << 64n) - 1n;
const U32_MAX = 2 ** 32 - 1;

/** A *.pressure file: "some avg10=0.12 avg60=0.05 avg300=0.01 total=12345" and a "full" line. */
export function parsePressure(text: string): M.PSIStats {
  const out = create(M.PSIStatsSchema);
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] !== 'some' && f[0] !== 'full') continue;
    const kv = new Map(f.slice(1).map((t) => t.split('=') as [string, string]));
    out[f[0]] = create(M.PSIDataSchema, {
      avg10: Number(kv.get('avg10') ?? 0),
      avg60: Number(kv.get('avg60') ?? 0),
      avg300: Number(kv.get('avg300') ?? 0),
      total: BigInt(kv.get('total') ?? 0),
    });
  }
  return out;
}

/** io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N" per device. */
export function parseIoStatV2(text: string): M.IOEntry[] {
  return ioStatDevices(text).map(({ major, minor, kv }) =>
    create(M.IOEntrySchema, { major, minor, rbytes: kv.get('rbytes') ?? 0n, wbytes: kv.get('wbytes') ?? 0n, rios: kv.get('rios') ?? 0n, wios: kv.get('wios') ?? 0n }),
  );
}

/** rdma.current / rdma.max: "mlx4_0 hca_handle=2 hca_object=2000" per device ("max": no limit). */
export function parseRdma(text: string): M.RdmaEntry[] {
  const out: M.RdmaEntry[] = [];
  const num = (v: string | undefined) => (v === undefined ? 0 : v === 'max' ? U32_MAX : Number(v));
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 2) continue;
    const kv = new Map(f.slice(1).map((t) => t.split('=') as [string, string]));
    out.push(create(M.RdmaEntrySchema, { device: f[0]!, hcaHandles: num(kv.get('hca_handle')), hcaObjects: num(kv.get('hca_object')) }));
  }
  return out;
}

/** memory.stat counters carried over under their own names (MemoryStat field -> key). */
const MEMORY_STAT_KEYS: [keyof M.MemoryStat, string][] = [
  ['anon', 'anon'],
  ['file', 'file'],
  ['kernelStack', 'kernel_stack'],
  ['slab', 'slab'],
  ['sock', 'sock'],
  ['shmem', 'shmem'],
  ['fileMapped', 'file_mapped'],
  ['fileDirty', 'file_dirty'],
  ['fileWriteback', 'file_writeback'],
  ['anonThp', 'anon_thp'],
  ['inactiveAnon', 'inactive_anon'],
  ['activeAnon', 'active_anon'],
  ['inactiveFile', 'inactive_file'],
  ['activeFile', 'active_file'],
  ['unevictable', 'unevictable'],
  ['slabReclaimable', 'slab_reclaimable'],
  ['slabUnreclaimable', 'slab_unreclaimable'],
  ['pgfault', 'pgfault'],
  ['pgmajfault', 'pgmajfault'],
  ['workingsetActivate', 'workingset_activate'],
  ['workingsetNodereclaim', 'workingset_nodereclaim'],
  ['pgrefill', 'pgrefill'],
  ['pgscan', 'pgscan'],
  ['pgsteal', 'pgsteal'],
  ['pgactivate', 'pgactivate'],
  ['pgdeactivate', 'pgdeactivate'],
  ['pglazyfree', 'pglazyfree'],
  ['pglazyfreed', 'pglazyfreed'],
  ['thpFaultAlloc', 'thp_fault_alloc'],
  ['thpCollapseAlloc', 'thp_collapse_alloc'],
];

export function metricsV2(fs: CgroupFs, dir: string): M.Metrics {
  const kv = (file: string) => parseKeyValues(readOpt(fs, dir, file) ?? '');
  const u64 = (file: string) => u64Opt(fs, dir, file, U64_MAX);
  const psi = (file: string) => {
    const t = readOpt(fs, dir, file);
    return t === undefined ? undefined : parsePressure(t);
  };

  const cpuStat = kv('cpu.stat');
  const cpu = create(M.CPUStatSchema, {
    usageUsec: cpuStat.get('usage_usec') ?? 0n,
    userUsec: cpuStat.get('user_usec') ?? 0n,
    systemUsec: cpuStat.get('system_usec') ?? 0n,
    nrPeriods: cpuStat.get('nr_periods') ?? 0n,
    nrThrottled: cpuStat.get('nr_throttled') ?? 0n,
    throttledUsec: cpuStat.get('throttled_usec') ?? 0n,
    nrBursts: cpuStat.get('nr_bursts') ?? 0n,
    burstUsec: cpuStat.get('burst_usec') ?? 0n,
    psi: psi('cpu.pressure'),
  });

  const memStat = kv('memory.stat');
  const memory = create(M.MemoryStatSchema, {
    usage: u64('memory.current'),
    usageLimit: u64('memory.max'),
    swapUsage: u64('memory.swap.current'),
    swapLimit: u64('memory.swap.max'),
    maxUsage: u64('memory.peak'),
    swapMaxUsage: u64('memory.swap.peak'),
    // Since 5.9 the kernel splits it into _anon and _file.
    workingsetRefault: memStat.get('workingset_refault') ?? (memStat.get('workingset_refault_anon') ?? 0n) + (memStat.get('workingset_refault_file') ?? 0n),
    psi: psi('memory.pressure'),
  });
  for (const [field, key] of MEMORY_STAT_KEYS) (memory[field] as bigint) = memStat.get(key) ?? 0n;

  const eventsText = readOpt(fs, dir, 'memory.events');
  const ev = parseKeyValues(eventsText ?? '');
  const memoryEvents = eventsText === undefined
    ? undefined
    : create(M.MemoryEventsSchema, { low: ev.get('low') ?? 0n, high: ev.get('high') ?? 0n, max: ev.get('max') ?? 0n, oom: ev.get('oom') ?? 0n, oomKill: ev.get('oom_kill') ?? 0n });

  // The page sizes are whatever hugetlb.<size>.current files exist.
  const hugetlb = listFiles(fs, dir)
    .map((f) => /^hugetlb\.([^.]+)\.current$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort()
    .map((pagesize) => create(M.HugeTlbStatSchema, { current: u64(`hugetlb.${pagesize}.current`), max: u64(`hugetlb.${pagesize}.max`), pagesize }));

  return create(M.MetricsSchema, {
    pids: { current: u64('pids.current'), limit: u64('pids.max') },
    cpu,
    memory,
    rdma: { current: parseRdma(readOpt(fs, dir, 'rdma.current') ?? ''), limit: parseRdma(readOpt(fs, dir, 'rdma.max') ?? '') },
    io: { usage: parseIoStatV2(readOpt(fs, dir, 'io.stat') ?? ''), psi: psi('io.pressure') },
    hugetlb,
    memoryEvents,
  });
}
