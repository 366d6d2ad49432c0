// Compiled seccomp programs, kept on disk between runts processes. A
// container engine's default profile (Docker's, podman's: ~400 rules) takes
// libseccomp 12-20 ms to compile, on every create and every exec; the same
// profile on the same libseccomp always gives the same program. Entries are
// keyed by the profile and the libseccomp library file (name, size, mtime),
// so an upgraded libseccomp compiles afresh. The directory lives in runts'
// state root (a tmpfs, under /run, by default), named so that it can never
// be a container id.
import type { createHash as CreateHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SeccompCompiler, SeccompProfile } from '../plan/seccomp.js';
import { checkSeccompFlags, compileSeccomp } from './compile.js';

// node:crypto is loaded on the first compile, not when create or exec load:
// it costs ~3 ms of their start-up, and a container without seccomp never
// needs it.
let hash: typeof CreateHash | undefined;
function sha256(): ReturnType<typeof CreateHash> {
  if (hash === undefined) {
    const load = typeof require === 'function' ? require : createRequire(import.meta.url);
    hash = (load('node:crypto') as typeof import('node:crypto')).createHash;
  }
  return hash('sha256');
}

/** Not a valid container id ([\w+.-]+): `runts list` never sees it. */
export const SECCOMP_CACHE_DIR = '@seccomp';

const LIBRARY_DIRS = ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib/aarch64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/lib64', '/usr/lib', '/lib'];

/** "libseccomp.so.2.5.4:129312:<mtime>", or null when the library is not where it is usually found. */
export function libseccompIdentity(dirs: readonly string[] = LIBRARY_DIRS): string | null {
  for (const dir of dirs) {
    try {
      const real = realpathSync(join(dir, 'libseccomp.so.2'));
      const st = statSync(real);
      return `${real}:${st.size}:${st.mtimeMs}`;
    } catch {
      // not here
    }
  }
  return null;
}

interface Entry {
  program: string;
  unknown: string[];
}

/**
 * `compile` with a cache in `dir`. Without a library identity nothing is
 * cached; a cache that cannot be read or written only costs the compile.
 * `check` runs on every hit too (the flags against the running kernel).
 * `identity` defaults to libseccompIdentity(), looked up on the first
 * compile only: a container without seccomp never pays for it.
 */
export function cachedCompiler(
  dir: string,
  compile: SeccompCompiler,
  check: (profile: SeccompProfile) => void = checkSeccompFlags,
  identity?: string | null,
): SeccompCompiler {
  let known = identity;
  return (profile: SeccompProfile) => {
    if (known === undefined) known = libseccompIdentity();
    if (known === null) return compile(profile);
    const key = sha256().update(known).update('\0').update(process.arch).update('\0').update(JSON.stringify(profile)).digest('hex');
    const file = join(dir, `${key}.json`);
    const hit = readEntry(file);
    if (hit !== null) {
      check(profile);
      return { program: Buffer.from(hit.program, 'base64'), unknown: hit.unknown };
    }
    const compiled = compile(profile);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const tmp = `${file}.${process.pid}`;
      const entry: Entry = { program: Buffer.from(compiled.program).toString('base64'), unknown: compiled.unknown };
      writeFileSync(tmp, JSON.stringify(entry), { mode: 0o600 });
      renameSync(tmp, file);
    } catch {
      // a read-only or full root: the next create compiles again
    }
    return compiled;
  };
}

function readEntry(file: string): Entry | null {
  try {
    const entry = JSON.parse(readFileSync(file, 'utf8')) as Entry;
    return typeof entry.program === 'string' && Array.isArray(entry.unknown) ? entry : null;
  } catch {
    return null; // not cached yet, or unreadable: compile
  }
}

/** The compiler `create` and `exec` use: libseccomp, cached in the state root `root`. */
export function stateRootCompiler(root: string): SeccompCompiler {
  return cachedCompiler(join(root, SECCOMP_CACHE_DIR), compileSeccomp);
}
