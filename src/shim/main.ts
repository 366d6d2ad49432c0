// containerd-shim-runts-v2: the containerd runtime v2 shim for runts
// (runtime type io.containerd.runts.v2). Actions: start (find or fork the
// server of the container's group, print its address), delete (clean up
// after a dead shim), serve (the server itself; what start forks).
// Each action is its own bundle in the build (scripts/build.mjs), loaded
// with its V8 code cache, so start and delete do not parse the server.
// launcher.sh, the shell lines the program begins with, answers some
// deletes alone and runs start as a `serve` that starts itself.
import { ANSWER_FD_ENV, parseShimArgs } from './args.js';

declare const RUNTS_VERSION_DEFINE: string | undefined;
const VERSION = typeof RUNTS_VERSION_DEFINE === 'string' ? RUNTS_VERSION_DEFINE : 'dev';

export async function shimMain(argv: string[], self: string[]): Promise<number> {
  const args = parseShimArgs(argv);
  if (args.version) {
    process.stdout.write(`containerd-shim-runts-v2:\n  Version:  ${VERSION}\n  Runtime:  runts (in-process)\n`);
    return 0;
  }
  switch (args.action) {
    case 'start': {
      const { startAction } = await import('./start.js');
      return startAction(args, self);
    }
    case 'delete': {
      const { deleteAction } = await import('./delete-action.js');
      return deleteAction(args);
    }
    case 'serve': {
      let listening;
      if (process.env[ANSWER_FD_ENV] !== undefined) {
        // launcher.sh's start: this process does the start, then serves.
        const { startInPlace } = await import('./start.js');
        const bound = await startInPlace(args);
        if (bound === null) return 0;
        args.socket = bound.path;
        listening = bound.server;
      }
      const { serveAction } = await import('./serve.js');
      await serveAction(args, VERSION, listening);
      return -1;
    }
    default:
      process.stderr.write(`containerd-shim-runts-v2: unknown action "${args.action}" (start, delete)\n`);
      return 1;
  }
}
