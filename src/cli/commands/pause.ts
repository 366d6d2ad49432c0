import type { Command } from '../command.js';

export const pause: Command = {
  name: 'pause',
  summary: 'pause suspends all processes inside the container',
  argsUsage: '<container-id>',
  description:
    'Suspends every process of the container with the cgroup freezer; `runts resume` lets them go on.\nThe container reads "paused" in `state` and `list` meanwhile.',
  flags: [],
  nargs: 1,
  async run({ store, log, args }) {
    const { pauseContainer } = await import('../../container/pause.js');
    await pauseContainer(store, args[0]!, log);
    return 0;
  },
};
