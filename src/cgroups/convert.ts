// Conversions between the spec's v1-shaped numbers and cgroup v2 files.

/** v1 cpu.shares range (the kernel clamps writes into it) and v2 cpu.weight range. */
export const SHARES_MIN = 2;
export const SHARES_MAX = 262144;
export const WEIGHT_MIN = 1;
export const WEIGHT_MAX = 10000;

/**
 * cpu.shares -> cpu.weight. 0 means "not set" (returns 0).
 *
 * 'linear' is runc up to 1.3.1 (the installed 1.1.5 included), crun before
 * 1.23: the line through (2, 1) and (262144, 10000), rounded down:
 *   weight = 1 + (shares - 2) * 9999 / 262142
 * so the v1 default 1024 becomes 39, not v2's default 100.
 *
 * 'log' is runc 1.3.2+ / crun 1.23+: a quadratic in log2(shares) through
 * (2, 1), (1024, 100) and (262144, 10000), rounded up:
 *   weight = ceil(10 ^ ((l^2 + 125 l) / 612 - 7/34)),  l = log2(shares)
 *
 * Shares outside 2..262144 are clamped first, as the v1 kernel clamps them,
 * so the result is always a valid cpu.weight.
 */
export function sharesToWeight(shares: number, formula: 'linear' | 'log' = 'linear'): number {
  if (shares === 0) return 0;
  const s = Math.min(Math.max(shares, SHARES_MIN), SHARES_MAX);
  if (formula === 'linear') return WEIGHT_MIN + Math.floor(((s - SHARES_MIN) * (WEIGHT_MAX - WEIGHT_MIN)) / (SHARES_MAX - SHARES_MIN));
  const l = Math.log2(s);
  const w = Math.ceil(Math.pow(10, (l * l + 125 * l) / 612 - 7 / 34));
  return Math.min(Math.max(w, WEIGHT_MIN), WEIGHT_MAX);
}

/** v1 blkio.weight range (CFQ; BFQ accepts 1..1000). */
export const BLKIO_WEIGHT_MIN = 10;
export const BLKIO_WEIGHT_MAX = 1000;

/**
 * blkio.weight (10..1000) -> io.weight (1..10000), runc's linear map through
 * (10, 1) and (1000, 10000), rounded down; 0 means "not set". BFQ's 1..9
 * (below CFQ's range) map to 1.
 */
export function blkioWeightToIoWeight(weight: number): number {
  if (weight === 0) return 0;
  const w = WEIGHT_MIN + Math.floor(((weight - BLKIO_WEIGHT_MIN) * (WEIGHT_MAX - WEIGHT_MIN)) / (BLKIO_WEIGHT_MAX - BLKIO_WEIGHT_MIN));
  return Math.min(Math.max(w, WEIGHT_MIN), WEIGHT_MAX);
}

/**
 * linux.resources.memory.swap is v1's memory+swap limit; v2's memory.swap.max
 * is swap alone. Following runc:
 *   swap unset, limit -1 (unlimited)   -> "max" (both unlimited, as v1 does)
 *   swap unset (or 0)                  -> undefined: leave memory.swap.max alone
 *   swap -1                            -> "max"
 *   swap set, limit unset or -1        -> error: nothing to subtract from
 *   swap < limit                       -> error (v1 would refuse it too)
 *   otherwise                          -> swap - limit
 * Returns the string to write, or throws with the reason.
 */
export function swapToV2(swap: number | undefined, limit: number | undefined): string | undefined {
  const s = swap ?? 0;
  const l = limit ?? 0;
  if (l === -1 && s === 0) return 'max';
  if (s === 0) return undefined;
  if (s === -1) return 'max';
  if (l === 0 || l === -1) throw new Error('a swap limit needs a memory limit on cgroup v2 (memory.swap.max = swap - limit)');
  if (s < 0 || l < 0) throw new Error(`invalid memory (${l}) or swap (${s}) value`);
  if (s < l) throw new Error(`memory+swap limit (${s}) must not be lower than the memory limit (${l})`);
  return String(s - l);
}

/**
 * hugepageLimits[].pageSize ("2MB", "1GB", "64KB") is used as is in the file
 * names (hugetlb.2MB.limit_in_bytes); this only checks it has that shape.
 */
export function validPageSize(pageSize: string): boolean {
  return /^[1-9][0-9]*(KB|MB|GB|TB|PB)$/.test(pageSize);
}
