// `serve`: the long-lived shim server of one group of containers (one
// container, a pod, or a namespace: group.ts). Child subreaper, ttrpc on
// the socket `start` bound (passed as fd 3, or bound in this very process:
// start.ts, startInPlace), events to containerd.
// It exits once it is idle (lifetime.ts): no container left, no client
// connected, and none that just connected (a `start` that handed out this
// address a moment ago).
import { existsSync, fstatSync, mkdirSync, statSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { StateStore } from '../container/state-store.js';
import type { ShimArgs } from './args.js';
import { runtimeRoot, socketPath } from './address.js';
import { GroupFiles } from './group-files.js';
import { Lifetime } from './lifetime.js';
import { shimLogger } from './log.js';
import { Publisher } from './publisher.js';
import { Reaper } from './reaper.js';
import { TaskService } from './task-service.js';
import { serveTtrpc, type Handler } from './ttrpc-server.js';

const INHERITED_FD = 3;

function inheritedSocket(): boolean {
  try {
    return fstatSync(INHERITED_FD).isSocket();
  } catch {
    return false;
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
