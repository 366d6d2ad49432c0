// linux.resources.hugepageLimits -> per page size:
//   v1: hugetlb.<size>.limit_in_bytes, and hugetlb.<size>.rsvd.limit_in_bytes
//   v2: hugetlb.<size>.max,            and hugetlb.<size>.rsvd.max
// The reservation file (kernel 5.7+) gets the same limit when it exists:
// runtime-spec asks for reservation accounting where the kernel has it,
// falling back to fault accounting. A size the kernel lacks is an error.
import type { LinuxHugepageLimit } from '../spec/types.js';
import { has, missing, write, type ResourceCtx } from './ctx.js';

export function setHugetlb(ctx: ResourceCtx, dir: string, limits: LinuxHugepageLimit[], version: 1 | 2): void {
  for (const l of limits) {
    const [file, rsvd] =
      version === 1
        ? [`hugetlb.${l.pageSize}.limit_in_bytes`, `hugetlb.${l.pageSize}.rsvd.limit_in_bytes`]
        : [`hugetlb.${l.pageSize}.max`, `hugetlb.${l.pageSize}.rsvd.max`];
    if (!has(ctx, dir, file)) throw missing(dir, file, `hugepageLimits: page size ${l.pageSize}`);
    write(ctx, dir, file, l.limit);
    if (has(ctx, dir, rsvd)) write(ctx, dir, rsvd, l.limit);
  }
}
