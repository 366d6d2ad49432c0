// linux.resources.memory.
//
// v1 (memory controller)            v2
//   limit       memory.limit_in_bytes        memory.max ("max" for -1)
//   reservation memory.soft_limit_in_bytes   memory.low ("max" for -1)
//   swap        memory.memsw.limit_in_bytes  memory.swap.max = swap - limit (convert.ts)
//   kernel      memory.kmem.limit_in_bytes   - (warning)
//   kernelTCP   memory.kmem.tcp.limit_in_bytes - (warning)
//   swappiness  memory.swappiness            - (warning)
//   disableOOMKiller memory.oom_control      - (warning)
//   useHierarchy memory.use_hierarchy        always hierarchical (warning for false)
//   checkBeforeUpdate (kernel refuses)       memory.current checked before memory.max
// As in runc, 0 means "not set" for the byte values (Go's zero value).
import type { LinuxMemory } from '../spec/types.js';
import { swapToV2 } from './convert.js';
import { has, read, setNonZero, write, type ResourceCtx } from './ctx.js';
import { CgroupError } from './fs.js';

/** Kernels since 5.16/6.1 reject or dropped kmem limits; those are warnings, not failures. */
function writeKmem(ctx: ResourceCtx, dir: string, file: string, value: number, what: string): void {
  if (!has(ctx, dir, file)) {
    ctx.warn(`${what} not applied: kernel memory limits are gone from this kernel (no ${file})`);
    return;
  }
  try {
    write(ctx, dir, file, value);
  } catch (e) {
    if (e instanceof CgroupError && (e.code === 'EOPNOTSUPP' || e.code === 'ENOTSUP' || e.code === 'EINVAL')) {
      ctx.warn(`${what} not applied: ${e.message}`);
      return;
    }
    throw e;
  }
  // 5.16+ kernels accept the write and ignore it (seen on this host's 6.18:
  // the file still reads 9223372036854771712). The kernel rounds down to pages.
  if (value > 0) {
    const now = parseLimit(read(ctx, dir, file));
    const want = BigInt(value) - (BigInt(value) % 4096n);
    if (now !== want) ctx.warn(`${what} not applied: the kernel ignores kernel memory limits (${file} still reads ${now})`);
  }
}

function parseLimit(text: string): bigint {
  const t = text.trim();
  return t === 'max' ? (1n << 64n) - 1n : BigInt(t);
}

export function setMemoryV1(ctx: ResourceCtx, dir: string, m: LinuxMemory): void {
  const limit = setNonZero(m.limit) ? m.limit : undefined;
  let swap = setNonZero(m.swap) ? m.swap : undefined;
  // "Unlimited memory" with swap unset means unlimited memory+swap too: the
  // kernel refuses limit_in_bytes above memsw.limit_in_bytes.
  if (limit === -1 && swap === undefined) swap = -1;
  if (swap !== undefined && !has(ctx, dir, 'memory.memsw.limit_in_bytes')) {
    if (swap !== -1 && swap !== limit) ctx.warn('memory.swap not applied: swap accounting is off in this kernel (no memory.memsw.limit_in_bytes)');
    swap = undefined;
  }
  if (limit !== undefined && swap !== undefined) {
    // memory.limit_in_bytes <= memory.memsw.limit_in_bytes must hold after
    // every write: raise memsw first when the new limit exceeds it.
    const memsw = parseLimit(read(ctx, dir, 'memory.memsw.limit_in_bytes'));
    if (limit === -1 || BigInt(limit) > memsw) {
      write(ctx, dir, 'memory.memsw.limit_in_bytes', swap);
      write(ctx, dir, 'memory.limit_in_bytes', limit);
    } else {
      write(ctx, dir, 'memory.limit_in_bytes', limit);
      write(ctx, dir, 'memory.memsw.limit_in_bytes', swap);
    }
  } else if (limit !== undefined) {
    write(ctx, dir, 'memory.limit_in_bytes', limit);
  } else if (swap !== undefined) {
    write(ctx, dir, 'memory.memsw.limit_in_bytes', swap);
  }
  if (setNonZero(m.reservation)) write(ctx, dir, 'memory.soft_limit_in_bytes', m.reservation);
  if (setNonZero(m.kernel)) writeKmem(ctx, dir, 'memory.kmem.limit_in_bytes', m.kernel, 'memory.kernel');
  if (setNonZero(m.kernelTCP)) writeKmem(ctx, dir, 'memory.kmem.tcp.limit_in_bytes', m.kernelTCP, 'memory.kernelTCP');
  if (m.swappiness !== undefined && m.swappiness !== -1) write(ctx, dir, 'memory.swappiness', m.swappiness);
  if (m.disableOOMKiller !== undefined) write(ctx, dir, 'memory.oom_control', m.disableOOMKiller ? 1 : 0);
  if (m.useHierarchy !== undefined && has(ctx, dir, 'memory.use_hierarchy')) {
    try {
      write(ctx, dir, 'memory.use_hierarchy', m.useHierarchy ? 1 : 0);
    } catch (e) {
      // Modern kernels are always hierarchical and refuse 0 (EINVAL).
      if (!(e instanceof CgroupError && (e.code === 'EINVAL' || e.code === 'EBUSY'))) throw e;
      ctx.warn(`memory.useHierarchy not applied: ${e.message}`);
    }
  }
}

export function setMemoryV2(ctx: ResourceCtx, dir: string, m: LinuxMemory): void {
  const limit = setNonZero(m.limit) ? m.limit : undefined;
  let swap: string | undefined;
  try {
    swap = swapToV2(m.swap, limit);
  } catch (e) {
    throw new CgroupError(`memory.swap: ${(e as Error).message}`);
  }
  if (swap !== undefined) {
    if (has(ctx, dir, 'memory.swap.max')) write(ctx, dir, 'memory.swap.max', swap);
    else if (swap !== 'max') ctx.warn('memory.swap not applied: swap accounting is off in this kernel (no memory.swap.max)');
  }
  if (limit !== undefined) {
    if (m.checkBeforeUpdate && limit > 0) {
      const current = BigInt(read(ctx, dir, 'memory.current').trim());
      if (current > BigInt(limit)) {
        throw new CgroupError(`memory.limit ${limit} is lower than the current usage ${current} (checkBeforeUpdate)`);
      }
    }
    write(ctx, dir, 'memory.max', limit === -1 ? 'max' : limit);
  }
  if (setNonZero(m.reservation)) write(ctx, dir, 'memory.low', m.reservation === -1 ? 'max' : m.reservation);
  if (setNonZero(m.kernel) && m.kernel !== -1) ctx.warn('memory.kernel not applied: cgroup v2 has no kernel memory limit');
  if (setNonZero(m.kernelTCP) && m.kernelTCP !== -1) ctx.warn('memory.kernelTCP not applied: cgroup v2 has no kernel TCP memory limit');
  if (m.swappiness !== undefined && m.swappiness !== -1) ctx.warn('memory.swappiness not applied: cgroup v2 has no per-cgroup swappiness');
  if (m.disableOOMKiller) ctx.warn('memory.disableOOMKiller not applied: cgroup v2 cannot disable the OOM killer for a cgroup');
  if (m.useHierarchy === false) ctx.warn('memory.useHierarchy=false not applied: cgroup v2 is always hierarchical');
}
