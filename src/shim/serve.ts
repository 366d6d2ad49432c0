// `serve`: the long-lived shim server of one group of containers (one
// container, a pod, or a namespace: group.ts). Child subreaper, ttrpc on
// the socket `start` bound (passed as fd 3, or bound in this very process:
// start.ts, startInPlace), events to containerd.
// It exits once it is idle (lifetime.ts): no container left, no client
// connected, and none that just connected (a `start` that handed out this
// address a moment ago).
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { bridge } from '../native/bridge.js';
import { StateStore } from '../container/state-store.js';
import type { ShimArgs } from './args.js';
import { runtimeRoot, socketPath } from './address.js';
import { Lifetime } from './lifetime.js';
import { shimLogger } from './log.js';
import { Publisher } from './publisher.js';
import { Reaper } from './reaper.js';
import { TaskService } from './task-service.js';
import { serveTtrpc, type Handler } from './ttrpc-server.js';
import { decodeLengthDelimited } from './wire.js';

const INHERITED_FD = 3;

/**
 * What launcher.sh needs to hand out this server's address without a Node
 * start (a container joining a running group): next to the socket,
 * <socket>.runts-server holds "<pid> <start time>" (field 22 of
 * /proc/self/stat, so a pid reused after a crash does not pass) while the
 * server listens, and a start that handed the address out leaves
 * <socket>.runts-handed. Both are read and written under an flock of the
 * socket directory (it stays, so the lock is always on the same inode),
 * which orders a hand-out before or after the server's decision to exit
 * (see tryExit below). Not in the namespace's runts root: that holds
 * containers' state only.
 */
class GroupFiles {
  readonly pidFile: string;
  readonly handed: string;

  private readonly dir: string;

  constructor(socket: string) {
    this.dir = dirname(socket);
    this.pidFile = `${socket}.runts-server`;
    this.handed = `${socket}.runts-handed`;
  }

  publish(): void {
    const stat = readFileSync('/proc/self/stat', 'latin1');
    const start = stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[19];
    const tmp = `${this.pidFile}.${process.pid}`;
    writeFileSync(tmp, `${process.pid} ${start}\n`);
    renameSync(tmp, this.pidFile);
  }

  /** Runs `fn` holding the directory's lock; null (and `fn` not run) while a start holds it. */
  locked<T>(fn: () => T): T | null {
    const fd = openSync(this.dir, 'r');
    try {
      try {
        bridge().flock(fd, 'ex', true);
      } catch {
        return null;
      }
      return fn();
    } finally {
      closeSync(fd);
    }
  }
}

function inheritedSocket(): boolean {
  try {
    return fstatSync(INHERITED_FD).isSocket();
  } catch {
    return false;
  }
}

/**
 * Each Create also writes shim.pid in its bundle: a container that joined
 * a running server was answered by a `start` that did not fork one.
 * (CreateTaskRequest: bundle = 2.)
 */
function recordPid(handlers: Map<string, Handler>): void {
  for (const [name, h] of handlers) {
    if (!name.endsWith('/Create')) continue;
    handlers.set(name, async (payload) => {
      const out = await h(payload);
      const bundle = decodeLengthDelimited(payload)?.get(2);
      if (bundle) {
        try {
          writeFileSync(join(Buffer.from(bundle).toString('utf8'), 'shim.pid'), String(process.pid));
        } catch {
          // the bundle is containerd's; a missing pid file is not fatal
        }
      }
      return out;
    });
  }
}

export async function serveAction(args: ShimArgs, version: string, listening?: Server): Promise<void> {
  const log = shimLogger(join(process.cwd(), 'shim.log'), args.debug);
  process.on('uncaughtException', (e) => log.error(`uncaught: ${e.stack ?? e.message}`));
  process.on('unhandledRejection', (e) => log.error(`unhandled rejection: ${(e as Error)?.stack ?? String(e)}`));
  // SIGPIPE from a fifo whose reader went away must not kill the shim.
  process.on('SIGPIPE', () => {});
  const root = runtimeRoot(args.namespace);
  mkdirSync(root, { recursive: true, mode: 0o711 });
  const path = args.socket !== '' ? args.socket : socketPath(args.address, args.namespace, args.id);
  const inherited = listening === undefined && inheritedSocket();
  const reaper = new Reaper();
  const publisher = new Publisher(process.env.TTRPC_ADDRESS ?? '', args.namespace, (m) => log.warn(m));
  const server = listening ?? createServer();
  // The socket file start bound: at exit it is removed only if it is
  // still that one (a later server of the group may have replaced it).
  let boundIno = -1;
  const connections = new Set<Socket>();
  let exiting = false;
  const group = new GroupFiles(path);
  const tryExit = (): boolean => {
    if (exiting) return true;
    // Under the socket directory's lock: a start that handed out the address since the
    // last look (launcher.sh) keeps the server, as a connection would;
    // otherwise the pid file goes, so that no later start hands it out,
    // and the server stops answering on the address. A start busy with
    // the lock right now counts as a hand-out.
    const go = group.locked(() => {
      if (existsSync(group.handed)) {
        unlinkSync(group.handed);
        return false;
      }
      try {
        unlinkSync(group.pidFile);
      } catch {
        // not published (or removed by hand)
      }
      return true;
    });
    if (go !== true) return false;
    exiting = true;
    // First stop answering on the address, so that no further `start`
    // hands it out; then let the events already published go out.
    server.close();
    try {
      if (statSync(path).ino === boundIno) unlinkSync(path);
    } catch {
      // gone
    }
    reaper.close();
    void publisher.flush().then(() => {
      publisher.close();
      process.exit(0);
    });
    return true;
  };
  const service = new TaskService({
    store: new StateStore(root),
    log,
    publisher,
    reaper,
    version,
    shutdown: () => lifetime.shutdownRequested(),
  });
  const lifetime = new Lifetime({ containers: () => service.containerCount, connections: () => connections.size, exit: () => void tryExit(), tryExit });
  server.on('connection', (sock: Socket) => {
    connections.add(sock);
    lifetime.connected();
    // A hand-out (launcher.sh) is followed by containerd's connection
    // within moments: from here on this connection's grace covers it.
    try {
      unlinkSync(group.handed);
    } catch {
      // none
    }
    sock.once('close', () => {
      connections.delete(sock);
      lifetime.check();
    });
  });
  const handlers = service.handlers();
  recordPid(handlers);
  serveTtrpc(server, { handlers, onError: (m) => log.warn(m) });
  if (!listening) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      if (inherited) server.listen({ fd: INHERITED_FD }, () => resolve());
      else server.listen(path, () => resolve());
    });
  }
  try {
    boundIno = statSync(path).ino;
  } catch {
    // removed already: nothing to remove at exit
  }
  try {
    group.publish();
  } catch (e) {
    // Starts then find this server through Node's probe only.
    log.warn(`writing ${group.pidFile}: ${(e as Error).message}`);
  }
  // The first bundle may be removed while other containers still run here.
  process.chdir('/');
  lifetime.startTimer();
  log.debug('listening', { path, inherited });
}
