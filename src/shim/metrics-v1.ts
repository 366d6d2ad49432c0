// io.containerd.cgroups.v1.Metrics from a container's v1 cgroup
// directories. The files are read by src/cgroups/stats.ts (collectStatsV1,
// the same numbers `runts events --stats` prints); this only moves them into
// containerd's message, plus memory.oom_control, which runc's stats lack.
//
// What containerd's readers use: `ctr task metrics` prints memory usage,
// limit and total_cache, cpuacct usage and per-CPU usage, pids; the CRI
// plugin (the kubelet's numbers) takes cpu usage total, memory usage,
// total_inactive_file (working set), rss/total_rss, pg(maj)fault.
import { create } from '@bufbuild/protobuf';
import { readFileSync } from 'node:fs';
import type { CgroupFs } from '../cgroups/fs.js';
import { collectStatsV1, parseKeyValues, readOpt, type BlkioEntry, type BlkioStats, type MemoryEntry, type V1StatDirs } from '../cgroups/stats.js';
import * as M from './gen/containerd/cgroups-metrics_pb.js';

/** "/dev/<name>" of a block device number, "" where the host has no name for it. */
export type DeviceName = (major: bigint, minor: bigint) => string;

/** The kernel's name for a block device, from /sys/dev/block/MAJ:MIN/uevent (DEVNAME=sda). */
export const sysDeviceName: DeviceName = (major, minor) => {
  try {
    const m = /^DEVNAME=(.+)$/m.exec(readFileSync(`/sys/dev/block/${major}:${minor}/uevent`, 'utf8'));
    return m ? `/dev/${m[1]}` : '';
  } catch {
    return '';
  }
};

/** memory.stat key of each MemoryStat counter (the names differ in a few places). */
const MEMORY_STAT_KEYS: [keyof M.MemoryStat, string][] = [
  ['cache', 'cache'],
  ['rss', 'rss'],
  ['rssHuge', 'rss_huge'],
  ['mappedFile', 'mapped_file'],
  ['dirty', 'dirty'],
  ['writeback', 'writeback'],
  ['pgPgIn', 'pgpgin'],
  ['pgPgOut', 'pgpgout'],
  ['pgFault', 'pgfault'],
  ['pgMajFault', 'pgmajfault'],
  ['inactiveAnon', 'inactive_anon'],
  ['activeAnon', 'active_anon'],
  ['inactiveFile', 'inactive_file'],
  ['activeFile', 'active_file'],
  ['unevictable', 'unevictable'],
  ['hierarchicalMemoryLimit', 'hierarchical_memory_limit'],
  ['hierarchicalSwapLimit', 'hierarchical_memsw_limit'],
  ['totalCache', 'total_cache'],
  ['totalRss', 'total_rss'],
  ['totalRssHuge', 'total_rss_huge'],
  ['totalMappedFile', 'total_mapped_file'],
  ['totalDirty', 'total_dirty'],
  ['totalWriteback', 'total_writeback'],
  ['totalPgPgIn', 'total_pgpgin'],
  ['totalPgPgOut', 'total_pgpgout'],
  ['totalPgFault', 'total_pgfault'],
  ['totalPgMajFault', 'total_pgmajfault'],
  ['totalInactiveAnon', 'total_inactive_anon'],
  ['totalActiveAnon', 'total_active_anon'],
  ['totalInactiveFile', 'total_inactive_file'],
  ['totalActiveFile', 'total_active_file'],
  ['totalUnevictable', 'total_unevictable'],
];

const BLKIO_FIELDS: [keyof M.BlkIOStat, keyof BlkioStats][] = [
  ['ioServiceBytesRecursive', 'ioServiceBytesRecursive'],
  ['ioServicedRecursive', 'ioServicedRecursive'],
  ['ioQueuedRecursive', 'ioQueueRecursive'],
  ['ioServiceTimeRecursive', 'ioServiceTimeRecursive'],
  ['ioWaitTimeRecursive', 'ioWaitTimeRecursive'],
  ['ioMergedRecursive', 'ioMergedRecursive'],
  ['ioTimeRecursive', 'ioTimeRecursive'],
  ['sectorsRecursive', 'sectorsRecursive'],
];

const entry = (e: MemoryEntry) => create(M.MemoryEntrySchema, { limit: e.limit, usage: e.usage ?? 0n, max: e.max ?? 0n, failcnt: e.failcnt });

export function metricsV1(fs: CgroupFs, dirs: V1StatDirs, deviceName: DeviceName = sysDeviceName): M.Metrics {
  const s = collectStatsV1(fs, dirs);
  const raw = new Map(Object.entries(s.memory.raw ?? {}));

  const memory = create(M.MemoryStatSchema, {
    usage: entry(s.memory.usage),
    swap: entry(s.memory.swap),
    kernel: entry(s.memory.kernel),
    kernelTcp: entry(s.memory.kernelTCP),
  });
  for (const [field, key] of MEMORY_STAT_KEYS) (memory[field] as bigint) = raw.get(key) ?? 0n;

  // Device names are looked up once per device, not once per entry.
  const names = new Map<string, string>();
  const blkEntry = (e: BlkioEntry) => {
    const [major, minor] = [e.major ?? 0n, e.minor ?? 0n];
    const key = `${major}:${minor}`;
    if (!names.has(key)) names.set(key, deviceName(major, minor));
    return create(M.BlkIOEntrySchema, { op: e.op ?? '', device: names.get(key)!, major, minor, value: e.value ?? 0n });
  };
  const blkio = create(M.BlkIOStatSchema);
  for (const [field, key] of BLKIO_FIELDS) (blkio[field] as M.BlkIOEntry[]) = (s.blkio[key] ?? []).map(blkEntry);

  const oom = parseKeyValues(readOpt(fs, dirs.memory, 'memory.oom_control') ?? '');
  return create(M.MetricsSchema, {
    hugetlb: Object.entries(s.hugetlb).map(([pagesize, h]) => ({ usage: h.usage ?? 0n, max: h.max ?? 0n, failcnt: h.failcnt, pagesize })),
    pids: { current: s.pids.current ?? 0n, limit: s.pids.limit ?? 0n },
    cpu: {
      usage: { total: s.cpu.usage.total ?? 0n, kernel: s.cpu.usage.kernel, user: s.cpu.usage.user, perCpu: s.cpu.usage.percpu ?? [] },
      throttling: {
        periods: s.cpu.throttling.periods ?? 0n,
        throttledPeriods: s.cpu.throttling.throttled_periods ?? 0n,
        throttledTime: s.cpu.throttling.throttled_time ?? 0n,
      },
    },
    memory,
    blkio,
    ...(dirs.memory !== undefined
      ? { memoryOomControl: { oomKillDisable: oom.get('oom_kill_disable') ?? 0n, underOom: oom.get('under_oom') ?? 0n, oomKill: oom.get('oom_kill') ?? 0n } }
      : {}),
  });
}
