// linux.resources.pids -> pids.max (same file on v1 and v2).
//
// runtime-spec: -1 (any negative) is "max"; 0 is a real limit ("0 is a
// valid limit value ... and SHOULD be treated as such"). runc 1.1.5 instead
// skips 0 (a config with pids.limit 0 left pids.max at "max" on this host);
// runts follows the spec.
import type { LinuxPids } from '../spec/types.js';
import { write, type ResourceCtx } from './ctx.js';

export function pidsMaxValue(p: LinuxPids): string {
  return p.limit < 0 ? 'max' : String(p.limit);
}

export function setPids(ctx: ResourceCtx, dir: string, p: LinuxPids): void {
  write(ctx, dir, 'pids.max', pidsMaxValue(p));
}
