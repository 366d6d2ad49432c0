// Where a shim listens: containerd 1.6's convention, a unix socket named
// by the sha256 of containerd's address, the namespace and the id (here:
// the group id, group.ts), under /run/containerd/s/. The start action
// prints it as unix://<path>.
import { createHash } from 'node:crypto';
import { join } from 'node:path';

export const SOCKET_DIR = '/run/containerd/s';

export function socketPath(containerdAddress: string, namespace: string, id: string): string {
  const digest = createHash('sha256').update(join(containerdAddress, namespace, id)).digest('hex');
  return join(SOCKET_DIR, digest);
}

/** Where the shim keeps the runts state of its containers (runts' --root). */
export function runtimeRoot(namespace: string): string {
  return join('/run/containerd/runts', namespace);
}
