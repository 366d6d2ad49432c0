// Whether a shim server answers on a unix socket: start hands out a live
// group server's address, and replaces (delete removes) a socket whose
// server is gone.
import { connect, type Socket } from 'node:net';

/** A connection to `path`, or null when nothing accepts there. */
export function probe(path: string): Promise<Socket | null> {
  return new Promise((resolve) => {
    const c = connect(path);
    c.once('connect', () => resolve(c));
    c.once('error', () => resolve(null));
  });
}
