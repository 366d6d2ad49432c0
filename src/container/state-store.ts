// The --root directory: one directory per container, created with mkdir (its
// failure is the "already exists" check), state written atomically (temp file
// + rename), commands on one container serialised with flock on its directory.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bridge } from '../native/bridge.js';
import { ContainerNotExist, RuntsError } from './errors.js';
import { isAlive } from './proc.js';
import type { StoredHooks } from '../hooks/lifecycle.js';
import type { SavedCgroups } from '../cgroups/manager.js';
import type { LinuxResources } from '../spec/types.js';

export const DEFAULT_ROOT = '/run/runts';
export const SPEC_VERSION = '1.3.0';

/** What runts keeps about a container between commands. */
export interface StoredState {
  ociVersion: string;
  id: string;
  /** Host pid of the container init (0 before it exists). */
  pid: number;
  /** /proc/<pid>/stat field 22 of that pid when it was created. */
  pidStartTime: string;
  bundle: string;
  rootfs: string;
  /** RFC 3339 with nanoseconds, as runc writes it. */
  created: string;
  annotations: Record<string, string>;
  /** True when the container init has its own pid namespace (kill --all may rely on it). */
  ownPidNamespace: boolean;
  /**
   * The poststart and poststop hooks as config.json had them at create time
   * (later edits must not affect the container); absent: none.
   */
  hooks?: StoredHooks;
  /**
   * The container's cgroups (src/cgroups save()): the directories in each
   * hierarchy and the ones runts made (delete removes those). Absent: runts
   * did not place the container in cgroups of its own (rootless without
   * permission), so pause/resume/update/events have nothing to act on.
   */
  cgroups?: SavedCgroups;
  /** linux.resources as applied: config.json's at create, with every `update` merged in. */
  resources?: LinuxResources;
}

/** "paused" is runc's (and what containerd and podman read); the runtime-spec lists the other four. */
export type Status = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

/**
 * Whether the container's freezer says FROZEN (v1 freezer.state, v2
 * cgroup.freeze + cgroup.events "frozen 1"). Read directly rather than
 * through src/cgroups so `state` and `list` stay cheap to start.
 */
export function cgroupFrozen(c: SavedCgroups | undefined): boolean {
  if (!c) return false;
  try {
    if (c.version === 1) {
      const dir = c.paths.freezer;
      return dir !== undefined && readFileSync(join(dir, 'freezer.state'), 'utf8').trim() === 'FROZEN';
    }
    const dir = c.paths[''];
    if (dir === undefined || readFileSync(join(dir, 'cgroup.freeze'), 'utf8').trim() !== '1') return false;
    return /^frozen 1$/m.test(readFileSync(join(dir, 'cgroup.events'), 'utf8'));
  } catch {
    return false;
  }
}

const ID_PATTERN = /^[\w+.-]+$/;

export function validateId(id: string): void {
  if (!ID_PATTERN.test(id) || id === '.' || id === '..') throw new RuntsError('invalid container ID format');
}

export class StateStore {
  constructor(readonly root: string) {}

  dir(id: string): string {
    return join(this.root, id);
  }

  fifoPath(id: string): string {
    return join(this.dir(id), 'exec.fifo');
  }

  private statePath(id: string): string {
    return join(this.dir(id), 'state.json');
  }

  /** Makes the container's directory; fails if it exists. */
  create(id: string): void {
    validateId(id);
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
    try {
      mkdirSync(this.dir(id), { mode: 0o711 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new RuntsError(`container with id ${id} already exists`);
      throw e;
    }
  }

  exists(id: string): boolean {
    return existsSync(this.dir(id));
  }

  /**
   * Takes the container's exclusive lock (blocking) and returns its release.
   * Throws ContainerNotExist when the directory is missing.
   */
  lock(id: string): () => void {
    validateId(id);
    let fd: number;
    try {
      fd = openSync(this.dir(id), 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ContainerNotExist();
      throw e;
    }
    bridge().flock(fd, 'ex', false);
    // The directory may have been deleted by the holder we waited for.
    if (!existsSync(this.dir(id))) {
      closeSync(fd);
      throw new ContainerNotExist();
    }
    return () => closeSync(fd);
  }

  write(state: StoredState): void {
    const path = this.statePath(state.id);
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
    renameSync(tmp, path);
  }

  /** null while the container is being created (directory without state yet). */
  read(id: string): StoredState | null {
    validateId(id);
    try {
      return JSON.parse(readFileSync(this.statePath(id), 'utf8')) as StoredState;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      if (!this.exists(id)) throw new ContainerNotExist();
      return null;
    }
  }

  status(state: StoredState | null): Status {
    if (state === null) return 'creating';
    if (!isAlive(state.pid, state.pidStartTime)) return 'stopped';
    if (cgroupFrozen(state.cgroups)) return 'paused';
    return existsSync(this.fifoPath(state.id)) ? 'created' : 'running';
  }

  /** uid owning the container's directory (what `list` shows as OWNER). */
  ownerUid(id: string): number {
    return statSync(this.dir(id)).uid;
  }

  list(): string[] {
    try {
      return readdirSync(this.root, { withFileTypes: true })
        .filter((d) => d.isDirectory() && ID_PATTERN.test(d.name))
        .map((d) => d.name)
        .sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }

  remove(id: string): void {
    validateId(id);
    const dir = this.dir(id);
    // The directory holds files only (state, fifo, a writer's temp file):
    // unlink and rmdir, without rmSync's recursive walker (~0.7 ms to load
    // and run on every delete). Anything else falls back to it.
    try {
      for (const name of readdirSync(dir)) unlinkSync(join(dir, name));
      rmdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(dir)) return;
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** The runtime-spec state document (plus runc's rootfs, created, owner), in runc's field order. */
export function ociState(state: StoredState, status: Status): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    ociVersion: state.ociVersion,
    id: state.id,
    pid: status === 'stopped' ? 0 : state.pid,
    status,
    bundle: state.bundle,
    rootfs: state.rootfs,
    created: state.created,
  };
  if (Object.keys(state.annotations).length > 0) doc.annotations = state.annotations;
  doc.owner = '';
  return doc;
}
