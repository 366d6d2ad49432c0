// Where a container's cgroup goes (linux.cgroupsPath), per hierarchy.
//
//   "/a/b"        absolute: relative to the hierarchy's mount point
//                 (runtime-spec: "relative to the cgroups mount point").
//   "a/b"         relative: below the caller's own cgroup in that hierarchy,
//                 as /proc/self/cgroup names it (runc does the same; on v1 the
//                 caller's cgroup can differ per controller).
//   absent / ""   "<caller's cgroup>/<container id>".
//
// Refused: any ".." that climbs above the start (the mount point for an
// absolute path, the caller's cgroup for a relative one), a path that names
// that start itself ("/", "."): the container would share, and on delete
// try to remove, a cgroup it does not own, and the systemd driver's
// "slice:prefix:name" form, which only the systemd cgroup driver can
// interpret and runts does not have one.
import { readFileSync } from 'node:fs';
import { CgroupError } from './fs.js';

export type CgroupsPath =
  | { kind: 'absolute'; /** cleaned, starts with "/", never "/" itself */ path: string }
  | { kind: 'relative'; /** cleaned, no leading "/", never "." */ path: string };

/** "system.slice:docker:abc" — no slashes, exactly three colon-separated parts. */
const SYSTEMD_FORM = /^[^/:]*:[^/:]*:[^/:]+$/;

/** Splits on "/" and resolves "." and ".."; null when ".." climbs above the start. */
function cleanComponents(path: string): string[] | null {
  const out: string[] = [];
  for (const c of path.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (out.length === 0) return null;
      out.pop();
      continue;
    }
    out.push(c);
  }
  return out;
}

export function parseCgroupsPath(cgroupsPath: string | undefined, id: string): CgroupsPath {
  const where = 'linux.cgroupsPath';
  if (cgroupsPath === undefined || cgroupsPath === '') {
    const parts = cleanComponents(id);
    if (parts === null || parts.length !== 1) throw new CgroupError(`container id "${id}" cannot name a cgroup`);
    return { kind: 'relative', path: parts[0]! };
  }
  if (cgroupsPath.includes('\0')) throw new CgroupError(`${where}: contains a NUL byte`);
  if (SYSTEMD_FORM.test(cgroupsPath)) {
    throw new CgroupError(
      `${where} "${cgroupsPath}" is in the systemd driver's "slice:prefix:name" form, but the systemd cgroup driver is not available in runts; give a cgroupfs path such as "/mygroup/${id}"`,
    );
  }
  const parts = cleanComponents(cgroupsPath);
  const absolute = cgroupsPath.startsWith('/');
  if (parts === null) {
    throw new CgroupError(
      `${where} "${cgroupsPath}" climbs above ${absolute ? 'the cgroup mount point' : "runts' own cgroup"} with ".."`,
    );
  }
  if (parts.length === 0) {
    throw new CgroupError(
      `${where} "${cgroupsPath}" names ${absolute ? 'the root cgroup' : "runts' own cgroup"}; a container needs a cgroup of its own`,
    );
  }
  return absolute ? { kind: 'absolute', path: '/' + parts.join('/') } : { kind: 'relative', path: parts.join('/') };
}

/** The caller's cgroups, from /proc/self/cgroup ("hier-id:controllers:path" per line). */
export interface ProcCgroup {
  /** The "0::/path" line: the cgroup2 (unified) path, if any. */
  unified?: string;
  /** v1: every controller name of a line ("cpu", "cpuacct", "name=systemd") -> its path. */
  v1: Map<string, string>;
}

export function parseProcCgroup(text: string): ProcCgroup {
  const result: ProcCgroup = { v1: new Map() };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const controllers = line.slice(first + 1, second);
    // A cgroup removed under us reads "/path (deleted)"; the name is what counts.
    const path = line.slice(second + 1).replace(/ \(deleted\)$/, '');
    if (line.slice(0, first) === '0' && controllers === '') {
      result.unified = path;
      continue;
    }
    for (const c of controllers.split(',')) if (c !== '') result.v1.set(c, path);
  }
  return result;
}

export function readProcSelfCgroup(): string {
  return readFileSync('/proc/self/cgroup', 'utf8');
}

function joinPath(...parts: string[]): string {
  const joined = parts
    .join('/')
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');
  return '/' + joined;
}

/**
 * The cgroup's directory in one hierarchy mounted at `mountpoint`, whose
 * mountinfo root is `mountRoot`; `own` is the caller's cgroup there (needed
 * for relative paths only).
 */
export function cgroupDir(path: CgroupsPath, mountpoint: string, mountRoot: string, own: string | undefined): string {
  if (path.kind === 'absolute') return joinPath(mountpoint, path.path);
  if (own === undefined) {
    throw new CgroupError(`cannot place relative cgroup "${path.path}" under ${mountpoint}: /proc/self/cgroup does not list this hierarchy`);
  }
  let ownInMount = own;
  if (mountRoot !== '/') {
    if (own !== mountRoot && !own.startsWith(mountRoot + '/')) {
      throw new CgroupError(`runts' cgroup ${own} is not visible at ${mountpoint} (which shows ${mountRoot})`);
    }
    ownInMount = own.slice(mountRoot.length);
  }
  return joinPath(mountpoint, ownInMount, path.path);
}

/** The caller's own cgroup directory in a hierarchy (for the v2 delegation rule). */
export function ownDir(mountpoint: string, mountRoot: string, own: string): string | undefined {
  if (mountRoot !== '/' && own !== mountRoot && !own.startsWith(mountRoot + '/')) return undefined;
  return joinPath(mountpoint, mountRoot === '/' ? own : own.slice(mountRoot.length));
}
