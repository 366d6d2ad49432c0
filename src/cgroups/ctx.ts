// What the resource writers share: the fs, the warning sink, and helpers
// that name the file in every error.
import { join } from 'node:path';
import { CgroupError, type CgroupFs } from './fs.js';

export interface ResourceCtx {
  fs: CgroupFs;
  /** Settings accepted but not applied (a kernel without the file, a v1-only knob on v2). */
  warn: (message: string) => void;
}

export function has(ctx: ResourceCtx, dir: string, file: string): boolean {
  return ctx.fs.exists(join(dir, file));
}

export function read(ctx: ResourceCtx, dir: string, file: string): string {
  return ctx.fs.read(join(dir, file));
}

export function write(ctx: ResourceCtx, dir: string, file: string, value: string | number): void {
  ctx.fs.write(join(dir, file), String(value));
}

/** A value the cgroup needs but whose controller/file is missing. */
export function missing(dir: string, file: string, what: string): CgroupError {
  return new CgroupError(`${what}: ${join(dir, file)} does not exist (controller not available or kernel without this feature)`, 'ENOENT');
}

/** Writes, requiring the file (error naming `what` when it is missing). */
export function writeRequired(ctx: ResourceCtx, dir: string, file: string, value: string | number, what: string): void {
  if (!has(ctx, dir, file)) throw missing(dir, file, what);
  write(ctx, dir, file, value);
}

/** Unset in the spec sense runc uses for these fields: absent or 0. */
export function setNonZero(v: number | undefined): v is number {
  return v !== undefined && v !== 0;
}
