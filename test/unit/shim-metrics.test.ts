// The shim's Stats answer against fake cgroupfs trees under a temp dir (v1
// hierarchies, a v2 directory): the Any's type URL, and every field decoded
// back from the protobuf.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { NodeCgroupFs } from '../../src/cgroups/fs.ts';
import { containerMetrics } from '../../src/shim/metrics.ts';
import { parsePressure, parseRdma } from '../../src/shim/metrics-v2.ts';
import { MetricsSchema as V1 } from '../../src/shim/gen/containerd/cgroups-metrics_pb.ts';
import { MetricsSchema as V2 } from '../../src/shim/gen/containerd/cgroups-v2-metrics_pb.ts';

const root = mkdtempSync(join(tmpdir(), 'runts-shim-metrics-'));
after(() => rmSync(root, { recursive: true, force: true }));
const fs = new NodeCgroupFs(root);
const U64_MAX = (1n << 64n) - 1n;

function tree(dir: string, files: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

test('v1: io.containerd.cgroups.v1.Metrics with cpu, throttling, memory, oom control, pids, blkio, hugetlb', () => {
  const d = (c: string) => join(root, 'v1', c, 'ns', 'c1');
  tree(d('cpuacct'), {
    'cpuacct.usage': '123456789\n',
    'cpuacct.usage_percpu': '100000000 23456789 \n',
    'cpuacct.stat': 'user 5\nsystem 3\n',
  });
  tree(d('cpu'), { 'cpu.stat': 'nr_periods 10\nnr_throttled 2\nthrottled_time 3000\n' });
  tree(d('memory'), {
    'memory.limit_in_bytes': '104857600\n',
    'memory.usage_in_bytes': '2048\n',
    'memory.max_usage_in_bytes': '4096\n',
    'memory.failcnt': '7\n',
    'memory.memsw.limit_in_bytes': '209715200\n',
    'memory.memsw.usage_in_bytes': '3072\n',
    'memory.memsw.max_usage_in_bytes': '5120\n',
    'memory.memsw.failcnt': '1\n',
    'memory.kmem.limit_in_bytes': '9223372036854771712\n',
    'memory.kmem.usage_in_bytes': '512\n',
    'memory.kmem.tcp.usage_in_bytes': '0\n',
    'memory.stat': [
      'cache 1000', 'rss 2000', 'rss_huge 0', 'shmem 0', 'mapped_file 300', 'dirty 4', 'writeback 5', 'pgpgin 60', 'pgpgout 70',
      'pgfault 80', 'pgmajfault 9', 'inactive_anon 11', 'active_anon 12', 'inactive_file 13', 'active_file 14', 'unevictable 15',
      'hierarchical_memory_limit 104857600', 'hierarchical_memsw_limit 209715200',
      'total_cache 1001', 'total_rss 2001', 'total_pgfault 81', 'total_pgmajfault 10', 'total_inactive_file 113', 'total_unevictable 16', '',
    ].join('\n'),
    'memory.oom_control': 'oom_kill_disable 0\nunder_oom 1\noom_kill 2\n',
  });
  tree(d('pids'), { 'pids.current': '3\n', 'pids.max': 'max\n' });
  tree(d('blkio'), {
    'blkio.throttle.io_serviced_recursive': '8:0 Read 3\n8:0 Write 4\n8:0 Sync 7\n8:0 Async 0\n8:0 Total 7\nTotal 7\n',
    'blkio.throttle.io_service_bytes_recursive': '8:0 Read 4096\n8:0 Write 8192\nTotal 12288\n',
  });
  tree(d('hugetlb'), { 'hugetlb.2MB.usage_in_bytes': '0\n', 'hugetlb.2MB.max_usage_in_bytes': '2097152\n', 'hugetlb.2MB.failcnt': '1\n' });

  const paths = Object.fromEntries(['cpu', 'cpuacct', 'memory', 'pids', 'blkio', 'hugetlb'].map((c) => [c, d(c)]));
  // A hybrid host's unified directory ("") does not change the choice.
  const any = containerMetrics({ version: 1, paths: { ...paths, '': join(root, 'v1', 'unified') }, created: [] }, fs, (ma, mi) => `/dev/fake${ma}-${mi}`);
  assert.equal(any.typeUrl, 'io.containerd.cgroups.v1.Metrics');
  const m = fromBinary(V1, any.value);

  // pids.max "max": 0, no limit, as containerd's v1 reader says it.
  assert.deepEqual([m.pids?.current, m.pids?.limit], [3n, 0n]);
  assert.equal(m.cpu?.usage?.total, 123456789n);
  assert.deepEqual(m.cpu?.usage?.perCpu, [100000000n, 23456789n]);
  assert.equal(m.cpu?.usage?.user, 50_000_000n);
  assert.equal(m.cpu?.usage?.kernel, 30_000_000n);
  assert.equal(m.cpu?.throttling?.periods, 10n);
  assert.equal(m.cpu?.throttling?.throttledPeriods, 2n);
  assert.equal(m.cpu?.throttling?.throttledTime, 3000n);

  const mem = m.memory!;
  assert.deepEqual([mem.usage?.limit, mem.usage?.usage, mem.usage?.max, mem.usage?.failcnt], [104857600n, 2048n, 4096n, 7n]);
  assert.deepEqual([mem.swap?.limit, mem.swap?.usage, mem.swap?.max, mem.swap?.failcnt], [209715200n, 3072n, 5120n, 1n]);
  assert.deepEqual([mem.kernel?.limit, mem.kernel?.usage], [9223372036854771712n, 512n]);
  assert.equal(mem.kernelTcp?.usage, 0n);
  assert.deepEqual(
    [mem.cache, mem.rss, mem.mappedFile, mem.dirty, mem.writeback, mem.pgPgIn, mem.pgPgOut, mem.pgFault, mem.pgMajFault],
    [1000n, 2000n, 300n, 4n, 5n, 60n, 70n, 80n, 9n],
  );
  assert.deepEqual([mem.inactiveAnon, mem.activeAnon, mem.inactiveFile, mem.activeFile, mem.unevictable], [11n, 12n, 13n, 14n, 15n]);
  assert.deepEqual([mem.hierarchicalMemoryLimit, mem.hierarchicalSwapLimit], [104857600n, 209715200n]);
  assert.deepEqual([mem.totalCache, mem.totalRss, mem.totalPgFault, mem.totalPgMajFault, mem.totalInactiveFile, mem.totalUnevictable], [1001n, 2001n, 81n, 10n, 113n, 16n]);
  assert.deepEqual([m.memoryOomControl?.oomKillDisable, m.memoryOomControl?.underOom, m.memoryOomControl?.oomKill], [0n, 1n, 2n]);

  const serviced = m.blkio!.ioServicedRecursive.map((e) => [e.device, e.major, e.minor, e.op, e.value]);
  assert.deepEqual(serviced, [
    ['/dev/fake8-0', 8n, 0n, 'Read', 3n],
    ['/dev/fake8-0', 8n, 0n, 'Write', 4n],
    ['/dev/fake8-0', 8n, 0n, 'Sync', 7n],
    ['/dev/fake8-0', 8n, 0n, 'Async', 0n],
    ['/dev/fake8-0', 8n, 0n, 'Total', 7n],
  ]);
  assert.deepEqual(m.blkio!.ioServiceBytesRecursive.map((e) => [e.op, e.value]), [['Read', 4096n], ['Write', 8192n]]);

  assert.deepEqual(m.hugetlb.map((h) => [h.pagesize, h.usage, h.max, h.failcnt]), [['2MB', 0n, 2097152n, 1n]]);
});

test('v1: a container without some controllers still answers, with zeros and no oom control', () => {
  const cpuacct = tree(join(root, 'v1-partial', 'cpuacct'), { 'cpuacct.usage': '5\n' });
  const m = fromBinary(V1, containerMetrics({ version: 1, paths: { cpuacct }, created: [] }, fs, () => '').value);
  assert.equal(m.cpu?.usage?.total, 5n);
  assert.equal(m.memory?.usage?.usage, 0n);
  assert.equal(m.memoryOomControl, undefined);
  assert.deepEqual(m.hugetlb, []);
});

test('v2: io.containerd.cgroups.v2.Metrics with pids, cpu, memory, memory events, io, hugetlb, rdma, PSI', () => {
  const dir = tree(join(root, 'v2', 'ns', 'c1'), {
    'cgroup.procs': '42\n',
    'cpu.stat': 'usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 20\nnr_throttled 3\nthrottled_usec 700\nnr_bursts 1\nburst_usec 9\n',
    'cpu.pressure': 'some avg10=1.50 avg60=0.25 avg300=0.00 total=123\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=45\n',
    'memory.current': '8192\n',
    'memory.max': 'max\n',
    'memory.peak': '16384\n',
    'memory.swap.current': '0\n',
    'memory.swap.max': '1048576\n',
    'memory.stat': [
      'anon 4096', 'file 2048', 'kernel_stack 100', 'slab 200', 'sock 0', 'shmem 10', 'file_mapped 20', 'file_dirty 30', 'file_writeback 40',
      'anon_thp 0', 'inactive_anon 50', 'active_anon 60', 'inactive_file 70', 'active_file 80', 'unevictable 90', 'slab_reclaimable 110',
      'slab_unreclaimable 90', 'pgfault 1000', 'pgmajfault 3', 'workingset_refault_anon 4', 'workingset_refault_file 5',
      'workingset_activate 6', 'workingset_nodereclaim 7', 'pgrefill 8', 'pgscan 9', 'pgsteal 10', 'pgactivate 11', 'pgdeactivate 12',
      'pglazyfree 13', 'pglazyfreed 14', 'thp_fault_alloc 15', 'thp_collapse_alloc 16', '',
    ].join('\n'),
    'memory.events': 'low 0\nhigh 1\nmax 5\noom 2\noom_kill 1\n',
    'memory.pressure': 'some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n',
    'pids.current': '2\n',
    'pids.max': '100\n',
    'io.stat': '8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n253:1 rbytes=10 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n',
    'hugetlb.2MB.current': '2097152\n',
    'hugetlb.2MB.max': 'max\n',
    'hugetlb.1GB.current': '0\n',
    'hugetlb.1GB.max': '0\n',
    'rdma.current': 'mlx4_0 hca_handle=1 hca_object=20\n',
    'rdma.max': 'mlx4_0 hca_handle=2 hca_object=max\n',
  });
  const any = containerMetrics({ version: 2, paths: { '': dir }, created: [] }, fs);
  assert.equal(any.typeUrl, 'io.containerd.cgroups.v2.Metrics');
  const m = fromBinary(V2, any.value);

  assert.deepEqual([m.pids?.current, m.pids?.limit], [2n, 100n]);
  const c = m.cpu!;
  assert.deepEqual([c.usageUsec, c.userUsec, c.systemUsec, c.nrPeriods, c.nrThrottled, c.throttledUsec, c.nrBursts, c.burstUsec], [1500n, 1000n, 500n, 20n, 3n, 700n, 1n, 9n]);
  assert.deepEqual([c.psi?.some?.avg10, c.psi?.some?.avg60, c.psi?.some?.total, c.psi?.full?.total], [1.5, 0.25, 123n, 45n]);

  const mem = m.memory!;
  assert.deepEqual([mem.usage, mem.usageLimit, mem.maxUsage, mem.swapUsage, mem.swapLimit, mem.swapMaxUsage], [8192n, U64_MAX, 16384n, 0n, 1048576n, 0n]);
  assert.deepEqual([mem.anon, mem.file, mem.kernelStack, mem.slab, mem.shmem, mem.fileMapped, mem.fileDirty, mem.fileWriteback], [4096n, 2048n, 100n, 200n, 10n, 20n, 30n, 40n]);
  assert.deepEqual([mem.inactiveAnon, mem.activeAnon, mem.inactiveFile, mem.activeFile, mem.unevictable, mem.slabReclaimable, mem.slabUnreclaimable], [50n, 60n, 70n, 80n, 90n, 110n, 90n]);
  assert.deepEqual([mem.pgfault, mem.pgmajfault, mem.workingsetRefault, mem.workingsetActivate, mem.workingsetNodereclaim], [1000n, 3n, 9n, 6n, 7n]);
  assert.deepEqual([mem.pgrefill, mem.pgscan, mem.pgsteal, mem.pgactivate, mem.pgdeactivate, mem.pglazyfree, mem.pglazyfreed, mem.thpFaultAlloc, mem.thpCollapseAlloc], [8n, 9n, 10n, 11n, 12n, 13n, 14n, 15n, 16n]);
  assert.equal(mem.psi?.some?.total, 0n);

  const ev = m.memoryEvents!;
  assert.deepEqual([ev.low, ev.high, ev.max, ev.oom, ev.oomKill], [0n, 1n, 5n, 2n, 1n]);

  assert.deepEqual(m.io?.usage.map((e) => [e.major, e.minor, e.rbytes, e.wbytes, e.rios, e.wios]), [
    [8n, 0n, 4096n, 8192n, 1n, 2n],
    [253n, 1n, 10n, 0n, 1n, 0n],
  ]);
  assert.equal(m.io?.psi, undefined);
  assert.deepEqual(m.hugetlb.map((h) => [h.pagesize, h.current, h.max]), [['1GB', 0n, 0n], ['2MB', 2097152n, U64_MAX]]);
  assert.deepEqual(m.rdma?.current.map((e) => [e.device, e.hcaHandles, e.hcaObjects]), [['mlx4_0', 1, 20]]);
  assert.deepEqual(m.rdma?.limit.map((e) => [e.device, e.hcaHandles, e.hcaObjects]), [['mlx4_0', 2, 2 ** 32 - 1]]);
});

test('v2: a directory with only the core files: zeros, no memory events, no PSI', () => {
  const dir = tree(join(root, 'v2-core'), { 'cgroup.procs': '', 'cpu.stat': 'usage_usec 7\nuser_usec 4\nsystem_usec 3\n' });
  const m = fromBinary(V2, containerMetrics({ version: 2, paths: { '': dir }, created: [] }, fs).value);
  assert.equal(m.cpu?.usageUsec, 7n);
  assert.equal(m.cpu?.psi, undefined);
  assert.deepEqual([m.pids?.current, m.pids?.limit, m.memory?.usage, m.memory?.usageLimit], [0n, 0n, 0n, 0n]);
  assert.equal(m.memoryEvents, undefined);
  assert.deepEqual(m.io?.usage, []);
  assert.deepEqual(m.hugetlb, []);
});

test('v2 parsers: pressure lines, rdma entries', () => {
  const p = parsePressure('some avg10=0.10 avg60=2.00 avg300=30.50 total=99\n');
  assert.deepEqual([p.some?.avg10, p.some?.avg60, p.some?.avg300, p.some?.total, p.full], [0.1, 2, 30.5, 99n, undefined]);
  assert.deepEqual(parseRdma('').length, 0);
  assert.deepEqual(parseRdma('a hca_handle=max hca_object=3\nb hca_handle=1\n').map((e) => [e.device, e.hcaHandles, e.hcaObjects]), [['a', 2 ** 32 - 1, 3], ['b', 1, 0]]);
});
