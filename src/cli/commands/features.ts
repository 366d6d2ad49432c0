import type { Command } from '../command.js';
import { RUNTS_VERSION } from '../version.js';
import { writeOut } from '../output.js';

export const features: Command = {
  name: 'features',
  summary: 'show the enabled features',
  argsUsage: '',
  description: 'Prints the runtime-spec features document: what this runts supports on this host, as JSON.',
  flags: [],
  nargs: 0,
  async run() {
    const { buildFeatures } = await import('../../features/features.js');
    writeOut(JSON.stringify(buildFeatures({ version: RUNTS_VERSION }), null, '    ') + '\n');
    return 0;
  },
};
