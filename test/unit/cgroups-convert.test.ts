// shares -> weight, blkio weight -> io.weight, memory+swap -> swap, page sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blkioWeightToIoWeight, sharesToWeight, swapToV2, validPageSize } from '../../src/cgroups/convert.ts';

test('sharesToWeight linear (runc <= 1.3.1): edges and well-known values', () => {
  const cases: [number, number][] = [
    [0, 0], // unset
    [1, 1], // below the v1 minimum: clamped to 2
    [2, 1],
    [3, 1],
    [264, 10], // 1 + 262*9999/262142 = 10.99 -> 10
    [512, 20],
    [1024, 39], // the famous "default 1024 becomes 39"
    [2048, 79],
    [131073, 5000],
    [262143, 9999],
    [262144, 10000],
    [1_000_000, 10000], // clamped
  ];
  for (const [shares, weight] of cases) assert.equal(sharesToWeight(shares), weight, `shares ${shares}`);
});

test('sharesToWeight log (runc 1.3.2+, crun 1.23+): 2 -> 1, 1024 -> 100, 262144 -> 10000', () => {
  const cases: [number, number][] = [
    [0, 0],
    [2, 1],
    [3, 2],
    [512, 59],
    [1024, 100],
    [2048, 174],
    [262144, 10000],
    [9_999_999, 10000],
  ];
  for (const [shares, weight] of cases) assert.equal(sharesToWeight(shares, 'log'), weight, `shares ${shares}`);
  // Monotonic over the whole range and always a valid cpu.weight.
  let prev = 0;
  for (let s = 2; s <= 262144; s += 97) {
    const w = sharesToWeight(s, 'log');
    assert.ok(w >= prev && w >= 1 && w <= 10000, `shares ${s}`);
    prev = w;
  }
});

test('blkioWeightToIoWeight: 10..1000 onto 1..10000', () => {
  const cases: [number, number][] = [
    [0, 0],
    [1, 1], // BFQ allows 1..9: clamped
    [10, 1],
    [11, 11], // 1 + 9999/990 = 11.1
    [100, 910],
    [500, 4950],
    [999, 9989],
    [1000, 10000],
  ];
  for (const [w, io] of cases) assert.equal(blkioWeightToIoWeight(w), io, `weight ${w}`);
});

test('swapToV2: memory+swap to swap alone, runc semantics', () => {
  const M = 1 << 20;
  assert.equal(swapToV2(undefined, undefined), undefined);
  assert.equal(swapToV2(undefined, 64 * M), undefined);
  assert.equal(swapToV2(0, 64 * M), undefined);
  assert.equal(swapToV2(undefined, -1), 'max'); // unlimited memory, swap unset: both unlimited
  assert.equal(swapToV2(-1, 64 * M), 'max');
  assert.equal(swapToV2(-1, undefined), 'max');
  assert.equal(swapToV2(128 * M, 64 * M), String(64 * M));
  assert.equal(swapToV2(64 * M, 64 * M), '0'); // no swap at all
  assert.throws(() => swapToV2(32 * M, 64 * M), /must not be lower than the memory limit/);
  assert.throws(() => swapToV2(128 * M, undefined), /needs a memory limit/);
  assert.throws(() => swapToV2(128 * M, -1), /needs a memory limit/);
  assert.throws(() => swapToV2(-5, 64 * M), /invalid/);
});

test('page sizes: the spelling of hugetlb file names', () => {
  for (const ok of ['2MB', '1GB', '64KB', '16GB']) assert.ok(validPageSize(ok), ok);
  for (const bad of ['2mb', '2M', 'MB', '02MB', '2 MB', '../2MB', '2MB/x']) assert.ok(!validPageSize(bad), bad);
});
