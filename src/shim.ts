// Entry point of dist/containerd-shim-runts-v2.js.
import { shimMain } from './shim/main.js';

shimMain(process.argv.slice(2), [process.execPath, process.argv[1]!]).then(
  (code) => {
    // An action that finished exits now (what it printed is written
    // synchronously): `start` leaves the listening socket it handed to
    // the server open, and a normal exit would close it and unlink its path.
    if (code >= 0) process.exit(code);
  },
  (e: unknown) => {
    process.stderr.write(`containerd-shim-runts-v2: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
