// Entry point of dist/containerd-shim-runts-v2.js.
import { shimMain } from './shim/main.js';

shimMain(process.argv.slice(2), [process.execPath, process.argv[1]!]).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`containerd-shim-runts-v2: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
