// The mount option vocabulary (runc's, which is mount(8)'s filesystem-
// independent set, plus the runtime-spec's recursive attributes and idmap)
// turned into mount(2) arguments: MS_* flags, a list of propagation changes
// and the filesystem-specific data string; and into mount_setattr(2)
// attributes for the recursive options.
import {
  MS_BIND,
  MS_DIRSYNC,
  MS_I_VERSION,
  MS_LAZYTIME,
  MS_MANDLOCK,
  MS_NOATIME,
  MS_NODEV,
  MS_NODIRATIME,
  MS_NOEXEC,
  MS_NOSUID,
  MS_NOSYMFOLLOW,
  MS_PRIVATE,
  MS_RDONLY,
  MS_REC,
  MS_RELATIME,
  MS_REMOUNT,
  MS_SHARED,
  MS_SILENT,
  MS_SLAVE,
  MS_STRICTATIME,
  MS_SYNCHRONOUS,
  MS_UNBINDABLE,
} from './linux-constants.js';

/** An option either sets or clears one flag; later options win over earlier ones. */
interface FlagOption {
  set: boolean;
  flag: number;
}

const FLAG_OPTIONS: ReadonlyMap<string, FlagOption> = new Map([
  ['defaults', { set: true, flag: 0 }],
  ['ro', { set: true, flag: MS_RDONLY }],
  ['rw', { set: false, flag: MS_RDONLY }],
  ['nosuid', { set: true, flag: MS_NOSUID }],
  ['suid', { set: false, flag: MS_NOSUID }],
  ['nodev', { set: true, flag: MS_NODEV }],
  ['dev', { set: false, flag: MS_NODEV }],
  ['noexec', { set: true, flag: MS_NOEXEC }],
  ['exec', { set: false, flag: MS_NOEXEC }],
  ['sync', { set: true, flag: MS_SYNCHRONOUS }],
  ['async', { set: false, flag: MS_SYNCHRONOUS }],
  ['remount', { set: true, flag: MS_REMOUNT }],
  ['mand', { set: true, flag: MS_MANDLOCK }],
  ['nomand', { set: false, flag: MS_MANDLOCK }],
  ['dirsync', { set: true, flag: MS_DIRSYNC }],
  ['nosymfollow', { set: true, flag: MS_NOSYMFOLLOW }],
  ['symfollow', { set: false, flag: MS_NOSYMFOLLOW }],
  ['noatime', { set: true, flag: MS_NOATIME }],
  ['atime', { set: false, flag: MS_NOATIME }],
  ['nodiratime', { set: true, flag: MS_NODIRATIME }],
  ['diratime', { set: false, flag: MS_NODIRATIME }],
  ['relatime', { set: true, flag: MS_RELATIME }],
  ['norelatime', { set: false, flag: MS_RELATIME }],
  ['strictatime', { set: true, flag: MS_STRICTATIME }],
  ['nostrictatime', { set: false, flag: MS_STRICTATIME }],
  ['iversion', { set: true, flag: MS_I_VERSION }],
  ['noiversion', { set: false, flag: MS_I_VERSION }],
  ['lazytime', { set: true, flag: MS_LAZYTIME }],
  ['nolazytime', { set: false, flag: MS_LAZYTIME }],
  ['silent', { set: true, flag: MS_SILENT }],
  ['loud', { set: false, flag: MS_SILENT }],
]);

/** Each is applied by a separate mount(2) call after the mount itself. */
export const PROPAGATION_OPTIONS: ReadonlyMap<string, number> = new Map([
  ['shared', MS_SHARED],
  ['rshared', MS_SHARED | MS_REC],
  ['slave', MS_SLAVE],
  ['rslave', MS_SLAVE | MS_REC],
  ['private', MS_PRIVATE],
  ['rprivate', MS_PRIVATE | MS_REC],
  ['unbindable', MS_UNBINDABLE],
  ['runbindable', MS_UNBINDABLE | MS_REC],
]);

/**
 * mount_setattr(2) attribute bits (include/uapi/linux/mount.h). The atime
 * mode is a 3-valued field, not a bit set: changing it needs
 * MOUNT_ATTR__ATIME in attr_clr and one of the modes in attr_set.
 */
export const MOUNT_ATTR_RDONLY = 0x1;
export const MOUNT_ATTR_NOSUID = 0x2;
export const MOUNT_ATTR_NODEV = 0x4;
export const MOUNT_ATTR_NOEXEC = 0x8;
export const MOUNT_ATTR__ATIME = 0x70;
export const MOUNT_ATTR_RELATIME = 0x0;
export const MOUNT_ATTR_NOATIME = 0x10;
export const MOUNT_ATTR_STRICTATIME = 0x20;
export const MOUNT_ATTR_NODIRATIME = 0x80;
export const MOUNT_ATTR_IDMAP = 0x100000;
export const MOUNT_ATTR_NOSYMFOLLOW = 0x200000;

/** A recursive option sets or clears one attribute bit, or picks an atime mode. */
type AttrOption = { set: boolean; attr: number } | { atime: number };

/**
 * The recursive variants of the per-mount flags (runtime-spec "rro",
 * "rnosuid", ...), applied with mount_setattr(AT_RECURSIVE) to the mount and
 * every mount under it. The atime options choose one mode for the whole
 * tree: "ratime" and "rnostrictatime" go back to the kernel default
 * (relatime), as "atime" and "nostrictatime" do in mount(8); "rnorelatime"
 * (never skip an update) is strictatime.
 */
const ATTR_OPTIONS: ReadonlyMap<string, AttrOption> = new Map<string, AttrOption>([
  ['rro', { set: true, attr: MOUNT_ATTR_RDONLY }],
  ['rrw', { set: false, attr: MOUNT_ATTR_RDONLY }],
  ['rnosuid', { set: true, attr: MOUNT_ATTR_NOSUID }],
  ['rsuid', { set: false, attr: MOUNT_ATTR_NOSUID }],
  ['rnodev', { set: true, attr: MOUNT_ATTR_NODEV }],
  ['rdev', { set: false, attr: MOUNT_ATTR_NODEV }],
  ['rnoexec', { set: true, attr: MOUNT_ATTR_NOEXEC }],
  ['rexec', { set: false, attr: MOUNT_ATTR_NOEXEC }],
  ['rnodiratime', { set: true, attr: MOUNT_ATTR_NODIRATIME }],
  ['rdiratime', { set: false, attr: MOUNT_ATTR_NODIRATIME }],
  ['rnosymfollow', { set: true, attr: MOUNT_ATTR_NOSYMFOLLOW }],
  ['rsymfollow', { set: false, attr: MOUNT_ATTR_NOSYMFOLLOW }],
  ['rnoatime', { atime: MOUNT_ATTR_NOATIME }],
  ['ratime', { atime: MOUNT_ATTR_RELATIME }],
  ['rrelatime', { atime: MOUNT_ATTR_RELATIME }],
  ['rnorelatime', { atime: MOUNT_ATTR_STRICTATIME }],
  ['rstrictatime', { atime: MOUNT_ATTR_STRICTATIME }],
  ['rnostrictatime', { atime: MOUNT_ATTR_RELATIME }],
]);

/**
 * Options the spec lists that runts-init cannot honour yet. Passing them to
 * mount(2) as data would fail obscurely or, worse, be ignored by the
 * filesystem, so they are rejected by name.
 */
const UNSUPPORTED_OPTIONS: ReadonlyMap<string, string> = new Map([['tmpcopyup', 'copying the directory contents into a tmpfs']]);

export interface ParsedMountOptions {
  /** MS_* flags, propagation excluded; MS_BIND (| MS_REC) for bind/rbind. */
  flags: number;
  /** Propagation flags in the order given. */
  propagation: number[];
  /** Unknown options, comma-joined, for mount(2)'s data argument. */
  data: string;
  /** A bind or rbind option was present. */
  bind: boolean;
  /** MOUNT_ATTR_* bits the recursive options set and clear (a bit is never in both). */
  attrSet: number;
  attrClr: number;
  /** Some recursive attribute option was given (even one that changes nothing). */
  attrRecursive: boolean;
  /** "idmap" or "ridmap", whichever came last; null for neither. */
  idmap: 'idmap' | 'ridmap' | null;
  /** Problems as [index of the option, message]. */
  problems: [number, string][];
}

export function parseMountOptions(options: readonly string[]): ParsedMountOptions {
  let flags = 0;
  let bind = false;
  let attrSet = 0;
  let attrClr = 0;
  let attrRecursive = false;
  let idmap: ParsedMountOptions['idmap'] = null;
  const propagation: number[] = [];
  const data: string[] = [];
  const problems: [number, string][] = [];
  options.forEach((option, i) => {
    const flag = FLAG_OPTIONS.get(option);
    if (flag !== undefined) {
      flags = flag.set ? flags | flag.flag : flags & ~flag.flag;
      return;
    }
    if (option === 'bind' || option === 'rbind') {
      bind = true;
      flags |= option === 'rbind' ? MS_BIND | MS_REC : MS_BIND;
      return;
    }
    const prop = PROPAGATION_OPTIONS.get(option);
    if (prop !== undefined) {
      propagation.push(prop);
      return;
    }
    const attr = ATTR_OPTIONS.get(option);
    if (attr !== undefined) {
      attrRecursive = true;
      if ('atime' in attr) {
        attrClr |= MOUNT_ATTR__ATIME;
        attrSet = (attrSet & ~MOUNT_ATTR__ATIME) | attr.atime;
      } else if (attr.set) {
        attrSet |= attr.attr;
        attrClr &= ~attr.attr;
      } else {
        attrClr |= attr.attr;
        attrSet &= ~attr.attr;
      }
      return;
    }
    if (option === 'idmap' || option === 'ridmap') {
      idmap = option;
      return;
    }
    const unsupported = UNSUPPORTED_OPTIONS.get(option);
    if (unsupported !== undefined) {
      problems.push([i, `mount option "${option}" is not supported yet by runts (${unsupported})`]);
      return;
    }
    // An empty entry would put an empty item into the data string.
    if (option === '') return;
    data.push(option);
  });
  return { flags, propagation, data: data.join(','), bind, attrSet, attrClr, attrRecursive, idmap, problems };
}

/** Every option runts applies (what `runts features` reports as mountOptions). */
export const SUPPORTED_MOUNT_OPTIONS: readonly string[] = [
  ...FLAG_OPTIONS.keys(),
  'bind',
  'rbind',
  ...PROPAGATION_OPTIONS.keys(),
  ...ATTR_OPTIONS.keys(),
  'idmap',
  'ridmap',
].sort();
