import type { Command } from '../command.js';

export const resume: Command = {
  name: 'resume',
  summary: 'resumes all processes that have been previously paused',
  argsUsage: '<container-id>',
  description: 'Thaws the processes of a container that `runts pause` suspended.',
  flags: [],
  nargs: 1,
  async run({ store, log, args }) {
    const { resumeContainer } = await import('../../container/pause.js');
    await resumeContainer(store, args[0]!, log);
    return 0;
  },
};
