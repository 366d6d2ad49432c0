import type { Command } from '../command.js';
import { ociState } from '../../container/state-store.js';
import { writeOut } from '../output.js';

export const state: Command = {
  name: 'state',
  summary: 'output the state of a container',
  argsUsage: '<container-id>',
  description: 'Prints the runtime-spec state of the container as JSON.',
  flags: [],
  nargs: 1,
  async run({ store, args }) {
    const id = args[0]!;
    const st = store.read(id);
    const status = store.status(st);
    const doc =
      st === null
        ? { ociVersion: '', id, pid: 0, status, bundle: '', rootfs: '', created: '', owner: '' }
        : ociState(st, status);
    writeOut(JSON.stringify(doc, null, '  ') + '\n');
    return 0;
  },
};
