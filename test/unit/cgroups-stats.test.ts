// Stats: parsers on captured file contents, and the whole `runc events
// --stats` line compared byte for byte with what runc 1.1.5 printed for the
// container whose v1 files were captured (test/fixtures/cgroups/v1-runc).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeCgroupFs } from '../../src/cgroups/fs.ts';
import {
  collectStatsV1,
  collectStatsV2,
  exactJSON,
  formatStatsEvent,
  parseBlkioV1,
  parseCpuList,
  parseIoStat,
  parseKeyValues,
  parseU64,
  parseU64List,
  parseUsageAll,
} from '../../src/cgroups/stats.ts';

const FIX = join(import.meta.dirname, '../fixtures/cgroups');
const fixFs = new NodeCgroupFs(FIX);

test('stats v1: identical to `runc events --stats` for the captured container', () => {
  const d = join(FIX, 'v1-runc');
  const stats = collectStatsV1(fixFs, {
    cpu: join(d, 'cpu'),
    cpuacct: join(d, 'cpuacct'),
    cpuset: join(d, 'cpuset'),
    memory: join(d, 'memory'),
    pids: join(d, 'pids'),
    blkio: join(d, 'blkio'),
    // hugetlb is not mounted on v1 on this host
  });
  const want = readFileSync(join(d, 'runc-events-stats.json'), 'utf8').trim();
  assert.equal(formatStatsEvent('cgprobe1', stats), want);
  // 9223372036854771712 (> 2^53) survives exactly.
  assert.equal(stats.memory.kernel.limit, 9223372036854771712n);
});

test('stats v1: blkio from the throttle files (BFQ present but empty), camelCase keys, omitempty entries', () => {
  const d = join(FIX, 'v1-blkio');
  const stats = collectStatsV1(fixFs, { blkio: d });
  const runc = JSON.parse(readFileSync(join(d, 'runc-events-stats.json'), 'utf8'));
  assert.equal(exactJSON(stats.blkio), JSON.stringify(runc.data.blkio));
  assert.deepEqual(Object.keys(stats.blkio), ['ioServiceBytesRecursive', 'ioServicedRecursive']);
  assert.deepEqual(stats.blkio.ioServicedRecursive![1], { major: 254n, op: 'Write' });
});

test('stats v1: missing controllers give runc\'s zero shapes', () => {
  const s = collectStatsV1(fixFs, {});
  assert.equal(
    exactJSON(s),
    '{"cpu":{"usage":{"kernel":0,"user":0},"throttling":{}},' +
      '"cpuset":{"cpu_exclusive":0,"mem_hardwall":0,"mem_exclusive":0,"memory_migrate":0,"memory_spread_page":0,"memory_spread_slab":0,"memory_pressure":0,"sched_load_balance":0,"sched_relax_domain_level":0},' +
      '"memory":{"usage":{"limit":0,"failcnt":0},"swap":{"limit":0,"failcnt":0},"kernel":{"limit":0,"failcnt":0},"kernelTCP":{"limit":0,"failcnt":0}},' +
      '"pids":{},"blkio":{},"hugetlb":{},"intel_rdt":{},"network_interfaces":null}',
  );
});

test('stats v2: kernel-documented file formats -> the same shape', () => {
  const s = collectStatsV2(fixFs, join(FIX, 'v2-sample'));
  assert.equal(
    exactJSON(s),
    '{"cpu":{"usage":{"total":7523419000,"kernel":2511074000,"user":5012345000},"throttling":{"periods":120,"throttled_periods":7,"throttled_time":93210000}},' +
      '"cpuset":{"cpu_exclusive":0,"mem_hardwall":0,"mem_exclusive":0,"memory_migrate":0,"memory_spread_page":0,"memory_spread_slab":0,"memory_pressure":0,"sched_load_balance":0,"sched_relax_domain_level":0},' +
      '"memory":{"cache":7372800,"usage":{"limit":67108864,"usage":8847360,"max":9437184,"failcnt":3},' +
      '"swap":{"limit":18446744073709551615,"usage":8851456,"failcnt":0},"kernel":{"limit":0,"failcnt":0},"kernelTCP":{"limit":0,"failcnt":0},' +
      '"raw":{"active_anon":20480,"active_file":0,"anon":1249280,"file":7372800,"file_dirty":0,"file_mapped":0,"file_writeback":0,"inactive_anon":1228800,"inactive_file":7372800,"kernel":204800,"kernel_stack":32768,"pagetables":69632,"pgfault":1062,"pgmajfault":0,"shmem":0,"sock":0,"swapcached":0,"unevictable":0}},' +
      '"pids":{"current":3,"limit":100},' +
      '"blkio":{"ioServiceBytesRecursive":[{"major":254,"op":"Read","value":8388608},{"major":254,"op":"Write","value":4096},{"major":253,"op":"Read"},{"major":253,"op":"Write"}],' +
      '"ioServicedRecursive":[{"major":254,"op":"Read","value":7},{"major":254,"op":"Write","value":1},{"major":253,"op":"Read"},{"major":253,"op":"Write"}]},' +
      '"hugetlb":{"2MB":{"usage":2097152,"failcnt":2}},"intel_rdt":{},"network_interfaces":null}',
  );
});

test('stats parsers', () => {
  assert.deepEqual([...parseKeyValues('nr_periods 2\nthrottled_time 0\nbad line here\nneg -1\n')], [['nr_periods', 2n], ['throttled_time', 0n], ['neg', -1n]]);
  assert.deepEqual(parseU64List('1605896 5370621 \n'), [1605896n, 5370621n]);
  assert.deepEqual(parseU64List(''), []);
  assert.equal(parseU64('max\n'), 18446744073709551615n);
  assert.equal(parseU64('max', 0n), 0n);
  assert.deepEqual(parseUsageAll('cpu user system\n0 0 0\n1 4000000 12\n'), { user: [0n, 4000000n], system: [0n, 12n] });
  assert.deepEqual(parseCpuList('0-3,7\n'), [0, 1, 2, 3, 7]);
  assert.deepEqual(parseCpuList('\n'), []);
  assert.deepEqual(parseBlkioV1('8:16 Read 4096\n8:16 Total 4096\n8:0 12\nTotal 4096\n'), [
    { major: 8n, minor: 16n, op: 'Read', value: 4096n },
    { major: 8n, minor: 16n, op: 'Total', value: 4096n },
    { major: 8n, value: 12n },
  ]);
  assert.deepEqual(parseIoStat('8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=5 dios=6\n'), {
    bytes: [{ major: 8n, op: 'Read', value: 1n }, { major: 8n, op: 'Write', value: 2n }],
    ios: [{ major: 8n, op: 'Read', value: 3n }, { major: 8n, op: 'Write', value: 4n }],
  });
});

test('exactJSON: bigints as exact digits, undefined members dropped', () => {
  assert.equal(exactJSON({ a: 18446744073709551615n, b: undefined, c: [1n, 'x'], d: null, e: { f: true } }), '{"a":18446744073709551615,"c":[1,"x"],"d":null,"e":{"f":true}}');
  assert.equal(JSON.stringify(Number(18446744073709551615n)), '18446744073709552000'); // why bigints
});
