import { statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from '../command.js';
import { RuntsError } from '../../container/errors.js';

export const spec: Command = {
  name: 'spec',
  summary: 'create a new specification file',
  argsUsage: '',
  description:
    'Writes a default config.json into the bundle directory (default: the current directory).\nIt runs a shell on a terminal in a busybox-like rootfs at "rootfs"; edit args and terminal as needed.',
  flags: [
    { name: 'bundle', short: 'b', type: 'string', usage: 'path to the root of the bundle directory' },
    { name: 'rootless', type: 'bool', usage: 'generate a configuration for a rootless container' },
  ],
  nargs: 0,
  async run({ flags }) {
    const dir = resolve((flags.bundle as string | undefined) ?? '.');
    try {
      if (!statSync(dir).isDirectory()) throw new Error();
    } catch {
      throw new RuntsError(`chdir ${dir}: no such file or directory`);
    }
    const path = join(dir, 'config.json');
    const { defaultSpec } = await import('../../spec/default-spec.js');
    const doc = defaultSpec({ rootless: flags.rootless === true, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 });
    try {
      writeFileSync(path, JSON.stringify(doc, null, '\t') + '\n', { flag: 'wx', mode: 0o666 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new RuntsError('File config.json exists. Remove it first');
      throw e;
    }
    return 0;
  },
};
