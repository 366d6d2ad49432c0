import type { FlagValues } from '../args.js';
import type { Command } from '../command.js';
import type { CreateOptions } from '../../container/create.js';

export const createFlags = [
  { name: 'bundle', short: 'b', type: 'string', usage: 'path to the root of the bundle directory, defaults to the current directory' },
  { name: 'console-socket', type: 'string', usage: "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal" },
  { name: 'pid-file', type: 'string', usage: 'specify the file to write the process id to' },
  { name: 'no-pivot', type: 'bool', usage: 'do not use pivot root to jail process inside rootfs (for a rootfs on a ramdisk)' },
  { name: 'no-new-keyring', type: 'bool', usage: "do not create a new session keyring for the container; it inherits the caller's session key" },
  { name: 'preserve-fds', type: 'uint', usage: 'pass N additional file descriptors to the container (stdio + N in total)', default: 0 },
] as const satisfies Command['flags'];

/** What createFlags and the container id say, for `create` and `run` alike. */
export function bundleOptions(flags: FlagValues, args: string[]): Omit<CreateOptions, 'foreground' | 'log'> {
  return {
    id: args[0]!,
    bundle: (flags.bundle as string | undefined) ?? process.cwd(),
    pidFile: (flags['pid-file'] as string | undefined) ?? null,
    consoleSocket: (flags['console-socket'] as string | undefined) ?? null,
    noPivot: flags['no-pivot'] === true,
    noNewKeyring: flags['no-new-keyring'] === true,
    preserveFds: flags['preserve-fds'] as number,
  };
}

export const create: Command = {
  name: 'create',
  summary: 'create a container',
  argsUsage: '<container-id>',
  description:
    'Creates an instance of a container for a bundle: a directory with a specification file named\n"config.json" and a root filesystem. The container init waits until `runts start` is called.',
  flags: [...createFlags],
  nargs: 1,
  async run({ store, log, flags, args }) {
    const { createContainer } = await import('../../container/create.js');
    await createContainer(store, { ...bundleOptions(flags, args), foreground: false, log });
    return 0;
  },
};
