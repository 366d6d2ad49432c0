// `delete`: containerd's cleanup after a shim's connection closed (1.6 runs
// it after every task's Delete too, and waits for it: it is on the path of
// each `ctr run --rm`). Force-deletes the runts container with this id if
// its state is still there, unmounts the rootfs the shim mounted, and
// prints a DeleteResponse (exit status 137: killed) on stdout. What a
// server that was killed could not remove itself (its socket, its pid file)
// goes too.
// Where there is nothing to clean up, the shell lines the program starts
// with (launcher.sh) answer without starting Node; here the runts library
// is loaded only when there is state to delete, and the response is
// encoded by hand (wire.ts).
import { existsSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { ShimArgs } from './args.js';
import { runtimeRoot } from './address.js';
import { GroupFiles } from './group-files.js';
import { unmountRootfs } from './rootfs.js';
import { encodeDeleteResponse } from './wire.js';

/**
 * A server killed outright leaves <socket>.runts-server (group-files.ts)
 * and its socket: where the bundle's address names a socket
 * whose server is gone, they go (and its hand-out mark), under the socket
 * directory's lock as launcher.sh reads them.
 */
function removeDeadServerFiles(bundle: string): void {
  let sock: string;
  try {
    sock = readFileSync(join(bundle, 'address'), 'utf8').trim().replace(/^unix:\/\//, '');
  } catch {
    return;
  }
  const group = new GroupFiles(sock);
  if (sock === '' || !existsSync(group.pidFile)) return;
  try {
    group.locked(() => {
      if (group.serverAlive()) return;
      // The dead server's own socket goes too: one bound before it wrote its
      // pid file. A new server that took the address over has bound a newer
      // one (start.ts replaces a dead socket), which stays.
      const socketMade = statSync(sock, { throwIfNoEntry: false })?.ctimeMs;
      const dead = [group.pidFile, group.handed];
      if (socketMade !== undefined && socketMade <= statSync(group.pidFile).mtimeMs) dead.push(sock);
      for (const f of dead) {
        try {
          unlinkSync(f);
        } catch {
          // gone
        }
      }
    }, true);
  } catch {
    // another start or server took over the address meanwhile
  }
}

export async function deleteAction(args: ShimArgs): Promise<number> {
  const bundle = args.bundle !== '' ? args.bundle : process.cwd();
  removeDeadServerFiles(bundle);
  if (args.id !== '' && args.namespace !== '' && existsSync(join(runtimeRoot(args.namespace), args.id))) {
    const [{ deleteContainer }, { StateStore }, { shimLogger }] = await Promise.all([import('../container/delete.js'), import('../container/state-store.js'), import('./log.js')]);
    try {
      await deleteContainer(new StateStore(runtimeRoot(args.namespace)), args.id, true, shimLogger(null, false));
    } catch {
      // nothing left to delete
    }
  }
  try {
    unmountRootfs(bundle);
  } catch {
    // reported by containerd when it removes the bundle
  }
  process.stdout.write(encodeDeleteResponse(0, 137, new Date()));
  return 0;
}
