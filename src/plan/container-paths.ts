// maskedPaths and readonlyPaths: absolute paths inside the container.
import { pointer, type Problems } from './errors.js';
import { cleanContainerPath } from './paths.js';

export function planContainerPaths(
  field: 'maskedPaths' | 'readonlyPaths',
  paths: string[] | undefined,
  problems: Problems,
): string[] {
  const out: string[] = [];
  (paths ?? []).forEach((p, i) => {
    if (!p.startsWith('/')) {
      problems.config(pointer('linux', field, i), `"${p}" must be an absolute path`);
      return;
    }
    const clean = cleanContainerPath(p);
    if (clean === '/') {
      problems.config(pointer('linux', field, i), `"${p}" would cover the whole container`);
      return;
    }
    if (!out.includes(clean)) out.push(clean);
  });
  return out;
}
