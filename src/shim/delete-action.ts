// `delete`: containerd's cleanup after a shim that died. Force-deletes
// the runts container with this id, unmounts the rootfs the shim mounted,
// and prints a DeleteResponse (exit status 137: killed) on stdout.
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { deleteContainer } from '../container/delete.js';
import { StateStore } from '../container/state-store.js';
import type { ShimArgs } from './args.js';
import { runtimeRoot } from './address.js';
import { DeleteResponseSchema } from './gen/containerd/task_pb.js';
import { shimLogger } from './log.js';
import { unmountRootfs } from './rootfs.js';

export async function deleteAction(args: ShimArgs): Promise<number> {
  const bundle = args.bundle !== '' ? args.bundle : process.cwd();
  const log = shimLogger(null, false);
  if (args.id !== '' && args.namespace !== '') {
    try {
      await deleteContainer(new StateStore(runtimeRoot(args.namespace)), args.id, true, log);
    } catch {
      // nothing left to delete
    }
  }
  try {
    unmountRootfs(bundle);
  } catch {
    // reported by containerd when it removes the bundle
  }
  process.stdout.write(toBinary(DeleteResponseSchema, create(DeleteResponseSchema, { pid: 0, exitStatus: 137, exitedAt: timestampNow() })));
  return 0;
}
