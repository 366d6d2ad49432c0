// The only place cgroups/ touches the filesystem. Everything above it takes
// a CgroupFs, so unit tests point the whole library at a temporary tree and
// two containers in one process never share state.
//
// cgroupfs wants each value in a single write(2) on a file that already
// exists (the kernel creates the control files; O_CREAT would only hide a
// typo or a missing controller as a stray regular file in a fake tree).
import {
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  writeSync,
} from 'node:fs';

/** strerror(3) text for the errors cgroupfs gives (Node only offers the code). */
const STRERROR: Record<string, string> = {
  EACCES: 'Permission denied',
  EBUSY: 'Device or resource busy',
  EEXIST: 'File exists',
  EINVAL: 'Invalid argument',
  ENODEV: 'No such device',
  ENOENT: 'No such file or directory',
  ENOSPC: 'No space left on device',
  ENOTDIR: 'Not a directory',
  ENOTEMPTY: 'Directory not empty',
  ENOTSUP: 'Operation not supported',
  EOPNOTSUPP: 'Operation not supported',
  EPERM: 'Operation not permitted',
  ERANGE: 'Numerical result out of range',
  ESRCH: 'No such process',
};

export class CgroupError extends Error {
  constructor(
    message: string,
    /** errno name ("EBUSY") when the kernel refused something. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'CgroupError';
  }
}

function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string'
    ? (e as { code: string }).code
    : undefined;
}

/** CgroupError "<what>: <strerror>" keeping the errno name; anything else is rethrown. */
export function wrapErrno(e: unknown, what: string): CgroupError {
  if (e instanceof CgroupError) return e;
  const code = errnoOf(e);
  if (code === undefined) throw e;
  return new CgroupError(`${what}: ${STRERROR[code] ?? code}`, code);
}

export interface CgroupFs {
  /** Every path handed to this fs must be this directory or below it. */
  readonly root: string;
  /** Whole content of a file. */
  read(path: string): string;
  /** The value in one write(2); the file must exist. */
  write(path: string, data: string): void;
  exists(path: string): boolean;
  /** Creates one directory; false when it already existed. */
  mkdir(path: string): boolean;
  /** Removes one (cgroup) directory. */
  rmdir(path: string): void;
  /** Names of the directories directly inside path (child cgroups). */
  subdirs(path: string): string[];
  /** Names of the non-directories directly inside path (control files). */
  files(path: string): string[];
}

/**
 * The real thing, confined to one directory: a path outside root is a bug in
 * the caller, and refusing it keeps a test from ever reaching the host's
 * /sys/fs/cgroup. Errors are CgroupError with the path and the errno.
 */
export class NodeCgroupFs implements CgroupFs {
  readonly root: string;

  constructor(root: string) {
    if (!root.startsWith('/')) throw new CgroupError(`cgroup root "${root}" must be absolute`);
    this.root = root.length > 1 ? root.replace(/\/+$/, '') : root;
  }

  protected check(path: string): string {
    const inside = this.root === '/' || path === this.root || path.startsWith(this.root + '/');
    if (!inside || path.split('/').includes('..')) {
      throw new CgroupError(`refusing to touch ${path}: outside the cgroup root ${this.root}`);
    }
    return path;
  }

  read(path: string): string {
    try {
      return readFileSync(this.check(path), 'utf8');
    } catch (e) {
      throw wrapErrno(e, `read ${path}`);
    }
  }

  write(path: string, data: string): void {
    // (libuv opens everything O_CLOEXEC.)
    let fd: number;
    try {
      fd = openSync(this.check(path), constants.O_WRONLY | constants.O_TRUNC);
    } catch (e) {
      throw wrapErrno(e, `open ${path}`);
    }
    try {
      const buf = Buffer.from(data);
      const n = writeSync(fd, buf, 0, buf.length);
      if (n !== buf.length) throw new CgroupError(`write ${JSON.stringify(data)} to ${path}: short write (${n} of ${buf.length} bytes)`);
    } catch (e) {
      throw wrapErrno(e, `write ${JSON.stringify(data.length > 64 ? data.slice(0, 64) + '...' : data)} to ${path}`);
    } finally {
      closeSync(fd);
    }
  }

  exists(path: string): boolean {
    return existsSync(this.check(path));
  }

  mkdir(path: string): boolean {
    try {
      mkdirSync(this.check(path), { mode: 0o755 });
      return true;
    } catch (e) {
      if (errnoOf(e) === 'EEXIST') return false;
      throw wrapErrno(e, `mkdir ${path}`);
    }
  }

  rmdir(path: string): void {
    try {
      rmdirSync(this.check(path));
    } catch (e) {
      throw wrapErrno(e, `rmdir ${path}`);
    }
  }

  subdirs(path: string): string[] {
    return this.entries(path)
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  }

  files(path: string): string[] {
    return this.entries(path)
      .filter((d) => !d.isDirectory())
      .map((d) => d.name);
  }

  private entries(path: string) {
    try {
      return readdirSync(this.check(path), { withFileTypes: true });
    } catch (e) {
      throw wrapErrno(e, `read directory ${path}`);
    }
  }
}

/** Synchronous pause for the few retry loops that cannot be async (rmdir after a kill). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
