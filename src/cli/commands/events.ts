import type { Command } from '../command.js';
import { UsageError } from '../args.js';
import { RuntsError } from '../../container/errors.js';

export const events: Command = {
  name: 'events',
  summary: 'display container events such as OOM notifications, cpu, memory, and IO usage statistics',
  argsUsage: '<container-id>',
  description:
    'Prints the container\'s cgroup statistics as JSON lines ({"type":"stats","id":...,"data":{...}}, runc\'s shape)\nevery --interval, and {"type":"oom","id":...} when the OOM killer kills in the container,\nuntil the container stops. With --stats, prints the statistics once and exits.',
  flags: [
    { name: 'interval', type: 'string', usage: 'set the stats collection interval', default: '5s' },
    { name: 'stats', type: 'bool', usage: "display the container's stats then exit" },
  ],
  nargs: 1,
  async run({ store, log, flags, args }) {
    const { parseDuration, statsOnce, streamEvents } = await import('../../container/events.js');
    const text = flags.interval as string;
    const interval = parseDuration(text);
    if (interval === null) throw new UsageError(`invalid value "${text}" for flag -interval: parse error`);
    if (interval <= 0) throw new RuntsError('duration interval must be greater than 0');
    const id = args[0]!;
    if (flags.stats === true) {
      process.stdout.write(`${await statsOnce(store, id, log)}\n`);
      return 0;
    }
    let closed = false;
    process.stdout.on('error', () => {
      closed = true;
    });
    await streamEvents(store, id, interval, log, (line) => {
      if (closed) throw new RuntsError('stdout closed');
      process.stdout.write(`${line}\n`);
    });
    return 0;
  },
};
