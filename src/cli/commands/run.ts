import type { Command } from '../command.js';
import { bundleOptions, createFlags } from './create.js';

export const run: Command = {
  name: 'run',
  summary: 'create and run a container',
  argsUsage: '<container-id>',
  description:
    'Creates and starts a container from a bundle. Without --detach runts waits for the container,\nforwards the signals it receives to it, and exits with its exit status.',
  flags: [
    ...createFlags,
    { name: 'detach', short: 'd', type: 'bool', usage: 'detach from the container\'s process' },
    { name: 'keep', type: 'bool', usage: 'do not delete the container after it exits' },
    { name: 'no-subreaper', type: 'bool', usage: 'accepted for runc compatibility; runts-init is the container\'s parent in the foreground' },
  ],
  nargs: 1,
  async run({ store, log, flags, args }) {
    const { runContainer } = await import('../../container/run.js');
    return runContainer(store, { ...bundleOptions(flags, args), detach: flags.detach === true, keep: flags.keep === true, log });
  },
};
