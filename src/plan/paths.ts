// Lexical path handling for paths inside the container and bundle-relative
// host paths. Nothing here touches the filesystem: symlinks inside the
// rootfs are resolved by runts-init, safely, at mount time.
import { isAbsolute, resolve } from 'node:path';

/**
 * Clean an absolute container path: collapse repeated "/", drop ".",
 * resolve ".." lexically (never above "/"), strip a trailing "/".
 * A relative path is taken relative to "/".
 */
export function cleanContainerPath(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

/** An absolute host path for `p`, taken relative to the bundle when it is relative. */
export function bundlePath(bundle: string, p: string): string {
  return isAbsolute(p) ? resolve(p) : resolve(bundle, p);
}

/** True when `p` is `dir` or lies under it (both cleaned, absolute). */
export function isWithin(p: string, dir: string): boolean {
  return p === dir || dir === '/' || p.startsWith(`${dir}/`);
}
