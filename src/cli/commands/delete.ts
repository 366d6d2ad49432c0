import type { Command } from '../command.js';

export const del: Command = {
  name: 'delete',
  summary: 'delete any resources held by the container',
  argsUsage: '<container-id> [container-id...]',
  description: 'Deletes stopped (or created) containers. With --force a running container is killed first.',
  flags: [{ name: 'force', short: 'f', type: 'bool', usage: 'forcibly delete the container if it is still running (uses SIGKILL)' }],
  nargs: [1, Infinity],
  async run({ store, log, flags, args }) {
    const { deleteContainer } = await import('../../container/delete.js');
    for (const id of args) await deleteContainer(store, id, flags.force === true, log);
    return 0;
  },
};
