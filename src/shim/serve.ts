// `serve`: the long-lived shim server. Child subreaper, ttrpc on the
// socket, events to containerd; exits after Shutdown once no container is
// left (or when containerd's connection is gone and nothing runs).
import { mkdirSync, unlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { StateStore } from '../container/state-store.js';
import type { ShimArgs } from './args.js';
import { runtimeRoot, socketPath } from './address.js';
import { shimLogger } from './log.js';
import { Publisher } from './publisher.js';
import { Reaper } from './reaper.js';
import { TaskService } from './task-service.js';
import { serveTtrpc } from './ttrpc-server.js';

export async function serveAction(args: ShimArgs, version: string): Promise<void> {
  const log = shimLogger(join(process.cwd(), 'shim.log'), args.debug);
  process.on('uncaughtException', (e) => log.error(`uncaught: ${e.stack ?? e.message}`));
  process.on('unhandledRejection', (e) => log.error(`unhandled rejection: ${(e as Error)?.stack ?? String(e)}`));
  // SIGPIPE from a fifo whose reader went away must not kill the shim.
  process.on('SIGPIPE', () => {});
  const root = runtimeRoot(args.namespace);
  mkdirSync(root, { recursive: true, mode: 0o711 });
  const path = socketPath(args.address, args.namespace, args.id);
  const reaper = new Reaper();
  const publisher = new Publisher(process.env.TTRPC_ADDRESS ?? '', args.namespace, (m) => log.warn(m));
  const server = createServer();
  const service = new TaskService({
    store: new StateStore(root),
    log,
    publisher,
    reaper,
    version,
    shutdown: () => {
      void publisher.flush().then(() => {
        server.close();
        try {
          unlinkSync(path);
        } catch {
          // gone
        }
        reaper.close();
        publisher.close();
        process.exit(0);
      });
    },
  });
  serveTtrpc(server, { handlers: service.handlers(), onError: (m) => log.warn(m) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  log.debug('listening', { path });
}
