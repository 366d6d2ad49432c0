// The rootfs mounts containerd hands to Create (usually one overlay or
// bind mount), mounted by the shim on <bundle>/rootfs and unmounted at
// Delete, with mount(2) and umount2(2) through the bridge: mount(8) and
// umount(8) were a process each, 5-15 ms on every Create and Delete with
// the server's event loop blocked. The options are parsed as mount(8) and
// containerd's own mount package do (mount-options.ts).
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bridge } from '../native/bridge.js';
import { ShimError, Code } from './errors.js';
import { mountCalls } from './mount-options.js';

export interface RootfsMount {
  type: string;
  source: string;
  options: string[];
}

const MNT_DETACH = 2;

export function rootfsPath(bundle: string): string {
  return join(bundle, 'rootfs');
}

export function mountRootfs(bundle: string, mounts: readonly RootfsMount[]): void {
  if (mounts.length === 0) return;
  const target = rootfsPath(bundle);
  mkdirSync(target, { recursive: true, mode: 0o711 });
  let done = 0;
  for (const m of mounts) {
    try {
      for (const c of mountCalls(m.type, m.source, m.options)) bridge().mount(c.source, target, c.fstype, c.flags, c.data);
    } catch (e) {
      if (done > 0 || mounted(target)) unmountRootfs(bundle);
      throw new ShimError(Code.Internal, `mount rootfs (${m.type} ${m.source}): ${(e as Error).message}`);
    }
    done++;
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
    try {
      bridge().umount(target, 0);
    } catch {
      try {
        bridge().umount(target, MNT_DETACH);
      } catch {
        // reported below if it stays mounted
      }
    }
  }
  if (mounted(target)) throw new ShimError(Code.Internal, `unmount ${target}: still mounted`);
}
