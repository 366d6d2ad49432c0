// `start`: containerd runs it in the bundle directory and reads the
// address it prints. It forks the long-lived server (`serve`), detached in
// a session of its own with stdio on /dev/null, waits until that listens on
// the socket, writes the address and shim.pid files in the
// bundle, prints unix://<path> and exits.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { socketPath, SOCKET_DIR } from './address.js';
import type { ShimArgs } from './args.js';

function alive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(path);
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });
}

export async function startAction(args: ShimArgs, self: string[]): Promise<number> {
  if (args.id === '' || args.namespace === '') throw new Error('start: -id and -namespace are required');
  const path = socketPath(args.address, args.namespace, args.id);
  const address = `unix://${path}`;
  mkdirSync(SOCKET_DIR, { recursive: true, mode: 0o711 });
  // A shim for this id already serves there: containerd is to use it.
  if (await alive(path)) {
    process.stdout.write(address);
    return 0;
  }
  try {
    unlinkSync(path);
  } catch {
    // none
  }
  const devnull = openSync('/dev/null', 'r+');
  const child = spawn(self[0]!, [...self.slice(1), '-namespace', args.namespace, '-address', args.address, '-publish-binary', args.publishBinary, '-id', args.id, ...(args.debug ? ['-debug'] : []), 'serve'], {
    cwd: process.cwd(),
    detached: true,
    stdio: [devnull, devnull, devnull],
    env: process.env,
  });
  closeSync(devnull);
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid!));
    child.once('error', reject);
  });
  child.unref();
  // The server binds the socket itself; it is ready once it accepts.
  const deadline = Date.now() + 10_000;
  while (!(await alive(path))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`start: the shim server did not listen on ${path}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  writeFileSync('address', address);
  writeFileSync('shim.pid', String(pid));
  process.stdout.write(address);
  return 0;
}
