import { UsageError } from '../args.js';
import type { Command } from '../command.js';

function parseGids(values: string[]): number[] {
  return values.map((v) => {
    if (!/^\d+$/.test(v) || Number(v) > 0xfffffffe) throw new UsageError(`invalid value "${v}" for flag -g: must be a gid (a non-negative integer)`);
    return Number(v);
  });
}

export const exec: Command = {
  name: 'exec',
  summary: 'execute new process inside the container',
  argsUsage: '<container-id> <command> [command options]  || -p process.json <container-id>',
  description:
    'Starts a process in the namespaces, root and cgroups of an existing container. "<command>" may\n' +
    'be empty only with --process (a runtime-spec process object as a file). Without --detach runts\n' +
    'waits for the process, forwards the signals it receives to it, and exits with its exit status;\n' +
    'a failure of exec itself exits 255.',
  flags: [
    { name: 'console-socket', type: 'string', usage: "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal" },
    { name: 'cwd', type: 'string', usage: 'current working directory in the container' },
    { name: 'env', short: 'e', type: 'strings', usage: 'set environment variables (NAME=value; repeatable)' },
    { name: 'tty', short: 't', type: 'bool', usage: 'allocate a pseudo-TTY' },
    { name: 'user', short: 'u', type: 'string', usage: 'UID (format: <uid>[:<gid>])' },
    { name: 'additional-gids', short: 'g', type: 'strings', usage: 'additional gids (repeatable)' },
    { name: 'process', short: 'p', type: 'string', usage: 'path to the process.json' },
    { name: 'detach', short: 'd', type: 'bool', usage: "detach from the container's process" },
    { name: 'pid-file', type: 'string', usage: 'specify the file to write the process id to' },
    { name: 'process-label', type: 'string', usage: 'set the asm process label for the process commonly used with selinux' },
    { name: 'apparmor', type: 'string', usage: 'set the apparmor profile for the process' },
    { name: 'no-new-privs', type: 'bool', usage: 'set the no new privileges value for the process' },
    { name: 'cap', short: 'c', type: 'strings', usage: 'add a capability to the bounding, effective and permitted sets of the process (repeatable)' },
    { name: 'preserve-fds', type: 'uint', usage: 'pass N additional file descriptors to the process (stdio + N in total)', default: 0 },
    { name: 'cgroup', type: 'strings', usage: 'run the process in an (existing) sub-cgroup(s). Format is [<controller>:]<cgroup>.' },
    { name: 'ignore-paused', type: 'bool', usage: 'allow exec in a paused container' },
  ],
  nargs: [1, Infinity],
  async run({ store, log, flags, args }) {
    const additionalGids = parseGids(flags['additional-gids'] as string[]);
    const { execProcess } = await import('../../container/exec.js');
    return execProcess(store, {
      id: args[0]!,
      processFile: (flags.process as string | undefined) ?? null,
      overrides: {
        args: args.slice(1),
        cwd: (flags.cwd as string | undefined) ?? null,
        env: flags.env as string[],
        tty: flags.tty === true,
        user: (flags.user as string | undefined) ?? null,
        additionalGids,
        // Only ever switches no_new_privs on; without it the config's value stays.
        noNewPrivs: flags['no-new-privs'] === true ? true : null,
        caps: flags.cap as string[],
        apparmor: (flags.apparmor as string | undefined) ?? '',
        processLabel: (flags['process-label'] as string | undefined) ?? '',
      },
      consoleSocket: (flags['console-socket'] as string | undefined) ?? null,
      detach: flags.detach === true,
      pidFile: (flags['pid-file'] as string | undefined) ?? null,
      preserveFds: flags['preserve-fds'] as number,
      // runc accepts an empty value and ignores it
      cgroups: ((flags.cgroup as string[] | undefined) ?? []).filter((v) => v !== ''),
      log,
    });
  },
};
