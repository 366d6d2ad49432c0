import type { Command } from '../command.js';

export const start: Command = {
  name: 'start',
  summary: 'executes the user defined process in a created container',
  argsUsage: '<container-id>',
  description: 'Starts the process of a container made by `runts create`.',
  flags: [],
  nargs: 1,
  async run({ store, args }) {
    const { startContainer } = await import('../../container/start.js');
    await startContainer(store, args[0]!);
    return 0;
  },
};
