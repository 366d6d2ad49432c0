import type { Command } from '../command.js';
import { UsageError } from '../args.js';
import { writeOut } from '../output.js';

export const ps: Command = {
  name: 'ps',
  summary: 'ps displays the processes running inside a container',
  argsUsage: '<container-id> [ps options]',
  description:
    'Lists the processes in the container\'s cgroup: as a JSON array of host pids (--format json),\nor as the host\'s `ps -ef` table cut down to them; arguments after the id replace "-ef".',
  flags: [{ name: 'format', short: 'f', type: 'string', usage: 'select one of: table or json', default: 'table' }],
  nargs: [1, Infinity],
  async run({ store, log, flags, args }) {
    const format = flags.format as string;
    if (format !== 'table' && format !== 'json') throw new UsageError('invalid format option');
    const { containerPids, formatPidsJson, psTable } = await import('../../container/ps.js');
    const pids = await containerPids(store, args[0]!, log);
    writeOut(format === 'json' ? `${formatPidsJson(pids)}\n` : psTable(pids, args.slice(1)));
    return 0;
  },
};
