// `start`: containerd runs it in the bundle directory and reads what it
// prints. It finds the container's group (group.ts) and the socket address
// of that group's server. If a server already listens there, that is the
// answer. Otherwise it binds and listens on the socket itself, forks the
// long-lived server (`serve`, detached in a session of its own, stdio on
// /dev/null) with the listening socket as its fd 3, and answers at once:
// containerd's connection waits in the socket's backlog until the server
// has loaded, so the start action never polls for it. It writes the
// address file in the bundle (and shim.pid, where it forked the server),
// prints the address (bootstrap.ts: plain or JSON) and exits.
// Kept to Node built-ins and small modules: it runs on every container's
// start path, before the server even begins to load. Where the program was
// run by /bin/sh (launcher.sh), the start happens in the server process
// itself instead (startInPlace): one Node start less on that path.
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { socketPath, SOCKET_DIR } from './address.js';
import { ANSWER_FD_ENV, type ShimArgs } from './args.js';
import { BOOTSTRAP_ENV, bootstrapForm, bootstrapOutput } from './bootstrap.js';
import { GROUP_ENV, groupId, groupMode, readAnnotations } from './group.js';
import { SERVES_TASK_V3 } from './task-api.js';

/** A connection to `path`, or null when nothing accepts there. */
function probe(path: string): Promise<Socket | null> {
  return new Promise((resolve) => {
    const c = connect(path);
    c.once('connect', () => resolve(c));
    c.once('error', () => resolve(null));
  });
}

function listen(path: string): Promise<Server | 'in-use'> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' ? resolve('in-use') : reject(e)));
    s.listen(path, () => resolve(s));
  });
}

/** What containerd wrote on stdin: nothing, runtime options, or (2.3+) BootstrapParams. Never waits on a terminal. */
function readStdin(): Uint8Array {
  try {
    const st = fstatSync(0);
    return st.isFIFO() || st.isFile() || st.isSocket() ? readFileSync(0) : new Uint8Array();
  } catch {
    return new Uint8Array();
  }
}

function annotations(bundle: string): Record<string, string> {
  try {
    return readAnnotations(bundle);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
}

/** Writes the bundle's address file (and shim.pid, where the server's pid is known) and prints the answer. */
function answer(address: string, pid: number, printed: string, fd: number): void {
  writeFileSync('address', address);
  if (pid > 0) writeFileSync('shim.pid', String(pid));
  writeSync(fd, fd === 1 ? printed : `A${printed}`);
}

interface Bound {
  address: string;
  path: string;
  printed: string;
  /** Listening on the group's socket, or null: the group's server answered there, and `printed` was written. */
  server: Server | null;
}

/** The group's socket: found served (the answer is written at once), or bound and listening here. */
async function bindGroupSocket(args: ShimArgs, fd: number): Promise<Bound> {
  if (args.id === '' || args.namespace === '') throw new Error('start: -id and -namespace are required');
  const mode = groupMode(process.env[GROUP_ENV]);
  const group = groupId(args.id, mode === 'pod' ? annotations(process.cwd()) : {}, mode);
  const path = socketPath(args.address, args.namespace, group);
  const address = `unix://${path}`;
  const printed = bootstrapOutput(address, bootstrapForm({ stdin: readStdin(), id: args.id, namespace: args.namespace, setting: process.env[BOOTSTRAP_ENV], taskV3: SERVES_TASK_V3 }));
  mkdirSync(SOCKET_DIR, { recursive: true, mode: 0o711 });
  let server: Server | 'in-use' = await listen(path);
  if (server === 'in-use') {
    const sock = await probe(path);
    if (sock) {
      // The group's server (or a start that just bound it) serves there:
      // containerd is to use it. That server writes this bundle's shim.pid
      // when the container is created in it (serve.ts).
      answer(address, 0, printed, fd);
      sock.destroy();
      return { address, path, printed, server: null };
    }
    // A socket nobody serves (a server that died): replace it.
    try {
      unlinkSync(path);
    } catch {
      // gone meanwhile
    }
    server = await listen(path);
    if (server === 'in-use') throw new Error(`start: ${path} is in use`);
  }
  return { address, path, printed, server };
}

/** `start` run by Node: forks the server with the listening socket as its fd 3. */
export async function startAction(args: ShimArgs, self: string[]): Promise<number> {
  const { address, path, printed, server } = await bindGroupSocket(args, 1);
  if (server === null) return 0;
  const fd = (server as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new Error('start: no file descriptor for the listening socket');
  const devnull = openSync('/dev/null', 'r+');
  const child = spawn(self[0]!, [...self.slice(1), '-namespace', args.namespace, '-address', args.address, '-publish-binary', args.publishBinary, '-id', args.id, '-socket', path, ...(args.debug ? ['-debug'] : []), 'serve'], {
    cwd: process.cwd(),
    detached: true,
    stdio: [devnull, devnull, devnull, fd],
    env: process.env,
  });
  closeSync(devnull);
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid!));
    child.once('error', reject);
  });
  child.unref();
  answer(address, pid, printed, 1);
  // The caller exits with process.exit: a normal exit would close the
  // listening handle, and libuv unlinks a pipe's path when it closes it.
  return 0;
}

/**
 * `start` as launcher.sh runs it: this process, already in a session of its
 * own with stdio on /dev/null, is to be the server, and the launcher waits
 * for the answer on the fd ANSWER_FD_ENV names ("A" and what start prints,
 * or "E" and an error), until that fd is closed. The answer goes out as
 * soon as the socket listens, before the server's code is even loaded.
 * Returns the listening socket and its path, or null when the group's
 * server already serves (this process then just exits).
 */
export async function startInPlace(args: ShimArgs): Promise<{ server: Server; path: string } | null> {
  const fd = Number(process.env[ANSWER_FD_ENV]);
  delete process.env[ANSWER_FD_ENV];
  if (!Number.isInteger(fd) || fd < 3) throw new Error(`${ANSWER_FD_ENV}: not a file descriptor`);
  try {
    const { address, path, printed, server } = await bindGroupSocket(args, fd);
    if (server !== null) answer(address, process.pid, printed, fd);
    closeSync(fd);
    return server === null ? null : { server, path };
  } catch (e) {
    try {
      writeSync(fd, `E${e instanceof Error ? e.message : String(e)}`);
      closeSync(fd);
    } catch {
      // the launcher is gone
    }
    throw e;
  }
}
