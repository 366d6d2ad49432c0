// The rootfs mounts containerd passes to Create ({type, source, options})
// as mount(2) calls, with the option words parsed by the same code that
// parses config.json's mounts (plan/mount-options.ts): flag words become
// MS_* bits, the rest (overlay's lowerdir=..., upperdir=..., index=off, ...)
// the data string. A bind mount takes no flags but MS_BIND/MS_REC at first:
// read-only and friends need a second, remounting call, and each propagation
// word another, as mount(8) and containerd's mount package do.
import { MS_BIND, MS_REC, MS_REMOUNT } from '../plan/linux-constants.js';
import { parseMountOptions } from '../plan/mount-options.js';

/** One mount(2) call. */
export interface MountCall {
  source: string;
  fstype: string;
  flags: number;
  data: string;
}

/** The mount(2) calls for one containerd mount onto a target, in order; throws on an option a plain mount cannot apply. */
export function mountCalls(type: string, source: string, options: readonly string[]): MountCall[] {
  const parsed = parseMountOptions(options);
  const [problem] = parsed.problems;
  if (problem) throw new Error(problem[1]);
  // Recursive attributes and idmapped mounts are config.json's (mount_setattr in runts-init), never containerd's.
  if (parsed.attrRecursive || parsed.idmap !== null) throw new Error(`options ${options.join(',')}: recursive and idmap options apply to a container's mounts, not to its rootfs`);
  let flags = parsed.flags;
  // containerd's type "bind" (or "rbind") is a bind mount: no file system type.
  if (type === 'bind' || type === 'rbind') flags |= MS_BIND | (type === 'rbind' ? MS_REC : 0);
  const fstype = flags & MS_BIND || type === 'none' ? '' : type;
  const calls: MountCall[] = [];
  const perMount = flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
  if (flags & MS_BIND && !(flags & MS_REMOUNT)) {
    calls.push({ source, fstype: '', flags: flags & (MS_BIND | MS_REC), data: parsed.data });
    if (perMount !== 0) calls.push({ source: '', fstype: '', flags: MS_REMOUNT | MS_BIND | perMount, data: '' });
  } else {
    calls.push({ source, fstype, flags, data: parsed.data });
  }
  for (const p of parsed.propagation) calls.push({ source: '', fstype: '', flags: p, data: '' });
  return calls;
}
