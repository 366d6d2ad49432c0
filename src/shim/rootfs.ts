// The rootfs mounts containerd hands to Create (usually one overlay or
// bind mount), mounted by the shim on <bundle>/rootfs and unmounted at
// Delete. mount(8) does the option parsing (overlay's lowerdir=..., ro,
// bind...), as containerd's own mount package would.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ShimError, Code } from './errors.js';

export interface RootfsMount {
  type: string;
  source: string;
  options: string[];
}

export function rootfsPath(bundle: string): string {
  return join(bundle, 'rootfs');
}

export function mountRootfs(bundle: string, mounts: readonly RootfsMount[]): void {
  if (mounts.length === 0) return;
  const target = rootfsPath(bundle);
  mkdirSync(target, { recursive: true, mode: 0o711 });
  const done: number[] = [];
  for (const m of mounts) {
    const args = ['-t', m.type === '' ? 'none' : m.type];
    if (m.options.length > 0) args.push('-o', m.options.join(','));
    args.push(m.source, target);
    const r = spawnSync('mount', args, { encoding: 'utf8' });
    if (r.status !== 0) {
      if (done.length > 0) unmountRootfs(bundle);
      throw new ShimError(Code.Internal, `mount rootfs (${m.type} ${m.source}): ${(r.stderr || r.error?.message || '').trim()}`);
    }
    done.push(1);
  }
}

function mounted(path: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === path);
}

/** Unmounts everything stacked on <bundle>/rootfs; throws if something stays. */
export function unmountRootfs(bundle: string): void {
  const target = rootfsPath(bundle);
  for (let i = 0; i < 16 && mounted(target); i++) {
    const r = spawnSync('umount', [target], { encoding: 'utf8' });
    if (r.status !== 0) spawnSync('umount', ['-l', target]);
  }
  if (mounted(target)) throw new ShimError(Code.Internal, `unmount ${target}: still mounted`);
}
