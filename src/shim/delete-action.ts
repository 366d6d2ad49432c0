// `delete`: containerd's cleanup after a shim's connection closed (1.6 runs
// it after every task's Delete too, and waits for it: it is on the path of
// each `ctr run --rm`). Force-deletes the runts container with this id if
// its state is still there, unmounts the rootfs the shim mounted, and
// prints a DeleteResponse (exit status 137: killed) on stdout. The socket
// named in the bundle's address file is removed when no server answers
// there any more (a shim that was killed cannot remove it itself).
// Where there is nothing to clean up, the shell lines the program starts
// with (launcher.sh) answer without starting Node; here the runts library
// is loaded only when there is state to delete, and the response is
// encoded by hand (wire.ts).
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { ShimArgs } from './args.js';
import { runtimeRoot, SOCKET_DIR } from './address.js';
import { probe } from './socket-probe.js';
import { unmountRootfs } from './rootfs.js';
import { encodeDeleteResponse } from './wire.js';

export async function deleteAction(args: ShimArgs): Promise<number> {
  const bundle = args.bundle !== '' ? args.bundle : process.cwd();
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
  await removeDeadSocket(bundle);
  process.stdout.write(encodeDeleteResponse(0, 137, new Date()));
  return 0;
}

/** The bundle's shim socket, when its server is gone (a live group server keeps its own). */
async function removeDeadSocket(bundle: string): Promise<void> {
  let address: string;
  try {
    address = readFileSync(join(bundle, 'address'), 'utf8').trim();
  } catch {
    return;
  }
  const path = address.replace(/^unix:\/\//, '');
  if (!path.startsWith(`${SOCKET_DIR}/`) || path.includes('/../')) return;
  const live = await probe(path);
  if (live) return void live.destroy();
  try {
    unlinkSync(path);
  } catch {
    // never made, or gone
  }
}
