// mount(8)'s option words as mount(2) takes them, for the rootfs mounts
// containerd passes to Create ({type, source, options}): flag words become
// MS_* bits, the rest (overlay's lowerdir=..., upperdir=..., index=off, ...)
// the data string. A bind mount takes no flags but MS_BIND/MS_REC at first:
// read-only and friends need a second, remounting call, and a propagation
// word a third, as mount(8) and containerd's mount package do.

export const MS = {
  RDONLY: 0x1,
  NOSUID: 0x2,
  NODEV: 0x4,
  NOEXEC: 0x8,
  SYNCHRONOUS: 0x10,
  REMOUNT: 0x20,
  MANDLOCK: 0x40,
  DIRSYNC: 0x80,
  NOATIME: 0x400,
  NODIRATIME: 0x800,
  BIND: 0x1000,
  REC: 0x4000,
  UNBINDABLE: 0x20000,
  PRIVATE: 0x40000,
  SLAVE: 0x80000,
  SHARED: 0x100000,
  RELATIME: 0x200000,
  STRICTATIME: 0x1000000,
} as const;

/** word -> [bits set, or cleared when `clear`]. */
const FLAG_WORDS: Record<string, [number, boolean]> = {
  defaults: [0, false],
  ro: [MS.RDONLY, false],
  rw: [MS.RDONLY, true],
  nosuid: [MS.NOSUID, false],
  suid: [MS.NOSUID, true],
  nodev: [MS.NODEV, false],
  dev: [MS.NODEV, true],
  noexec: [MS.NOEXEC, false],
  exec: [MS.NOEXEC, true],
  sync: [MS.SYNCHRONOUS, false],
  async: [MS.SYNCHRONOUS, true],
  dirsync: [MS.DIRSYNC, false],
  remount: [MS.REMOUNT, false],
  mand: [MS.MANDLOCK, false],
  nomand: [MS.MANDLOCK, true],
  noatime: [MS.NOATIME, false],
  atime: [MS.NOATIME, true],
  nodiratime: [MS.NODIRATIME, false],
  diratime: [MS.NODIRATIME, true],
  relatime: [MS.RELATIME, false],
  norelatime: [MS.RELATIME, true],
  strictatime: [MS.STRICTATIME, false],
  nostrictatime: [MS.STRICTATIME, true],
  bind: [MS.BIND, false],
  rbind: [MS.BIND | MS.REC, false],
};

const PROPAGATION_WORDS: Record<string, number> = {
  private: MS.PRIVATE,
  rprivate: MS.PRIVATE | MS.REC,
  shared: MS.SHARED,
  rshared: MS.SHARED | MS.REC,
  slave: MS.SLAVE,
  rslave: MS.SLAVE | MS.REC,
  unbindable: MS.UNBINDABLE,
  runbindable: MS.UNBINDABLE | MS.REC,
};

/** One mount(2) call. */
export interface MountCall {
  source: string;
  fstype: string;
  flags: number;
  data: string;
}

/** The mount(2) calls for one containerd mount onto a target, in order. */
export function mountCalls(type: string, source: string, options: readonly string[]): MountCall[] {
  let flags = 0;
  let propagation = 0;
  const data: string[] = [];
  for (const o of options) {
    const f = FLAG_WORDS[o];
    if (f) flags = f[1] ? flags & ~f[0] : flags | f[0];
    else if (PROPAGATION_WORDS[o] !== undefined) propagation = PROPAGATION_WORDS[o]!;
    else data.push(o);
  }
  // containerd's type "bind" (or "rbind") is a bind mount: no file system type.
  if (type === 'bind' || type === 'rbind') flags |= MS.BIND | (type === 'rbind' ? MS.REC : 0);
  const fstype = flags & MS.BIND || type === 'none' ? '' : type;
  const calls: MountCall[] = [];
  const perMount = flags & ~(MS.BIND | MS.REC | MS.REMOUNT);
  if (flags & MS.BIND && !(flags & MS.REMOUNT)) {
    calls.push({ source, fstype: '', flags: flags & (MS.BIND | MS.REC), data: data.join(',') });
    if (perMount !== 0) calls.push({ source: '', fstype: '', flags: MS.REMOUNT | MS.BIND | perMount, data: '' });
  } else {
    calls.push({ source, fstype, flags, data: data.join(',') });
  }
  if (propagation !== 0) calls.push({ source: '', fstype: '', flags: propagation, data: '' });
  return calls;
}
