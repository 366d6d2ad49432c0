// linux.resources.unified: cgroup v2 "file name -> value", written verbatim
// after everything else (so it overrides converted v1 values, as in runc).
//
// runtime-spec: the runtime MUST enable the controllers needed, MUST write
// keys it does not know, and MUST fail when the controller is absent or
// cannot be enabled. A key must be a plain file name in the container's
// cgroup (no "/", not "." or ".."): it names a file there, never a path.
// Its controller is the part before the first "." ("memory.high" ->
// memory); "cgroup.*" files belong to the core and need none.
import { join } from 'node:path';
import { write, type ResourceCtx } from './ctx.js';
import { CgroupError } from './fs.js';

export function unifiedKeyProblem(key: string): string | undefined {
  if (key === '' || key === '.' || key === '..' || key.includes('/') || key.includes('\0')) {
    return `"${key}" is not a file name in the container's cgroup`;
  }
  if (!key.includes('.')) return `"${key}" is not a cgroup v2 file name (CONTROLLER.KNOB)`;
  return undefined;
}

export function unifiedController(key: string): string {
  return key.slice(0, key.indexOf('.'));
}

export function setUnified(ctx: ResourceCtx, dir: string, unified: Record<string, string>, available: ReadonlySet<string>): void {
  for (const [key, value] of Object.entries(unified)) {
    const problem = unifiedKeyProblem(key);
    if (problem) throw new CgroupError(`unified: ${problem}`);
    const controller = unifiedController(key);
    if (controller !== 'cgroup' && !available.has(controller)) {
      throw new CgroupError(`unified: "${key}": the ${controller} controller is not available in ${dir} (not in cgroup.controllers)`);
    }
    if (!ctx.fs.exists(join(dir, key))) throw new CgroupError(`unified: "${key}": no such file in ${dir}`, 'ENOENT');
    write(ctx, dir, key, value);
  }
}
