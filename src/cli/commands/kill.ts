import type { Command } from '../command.js';
import { parseSignal } from '../../container/signals.js';

export const kill: Command = {
  name: 'kill',
  summary: 'kill sends the specified signal (default: SIGTERM) to the container\'s init process',
  argsUsage: '<container-id> [signal]',
  description:
    'Sends a signal to the container init. The signal is a number or a name with or without\nthe SIG prefix, e.g. "runts kill ctr KILL".',
  flags: [{ name: 'all', short: 'a', type: 'bool', usage: 'send the specified signal to all processes inside the container' }],
  nargs: [1, 2],
  async run({ store, flags, args }) {
    const { killContainer } = await import('../../container/kill.js');
    const signal = parseSignal(args[1] ?? 'SIGTERM');
    await killContainer(store, args[0]!, signal, flags.all === true);
    return 0;
  },
};
