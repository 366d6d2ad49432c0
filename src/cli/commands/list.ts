import { readFileSync } from 'node:fs';
import type { Command } from '../command.js';
import { UsageError } from '../args.js';
import { ociState } from '../../container/state-store.js';
import { formatTable } from '../table.js';
import { writeOut } from '../output.js';

function userName(uid: number): string {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[2] === String(uid) && f[0]) return f[0];
    }
  } catch {
    // no passwd: fall through to the number
  }
  return `#${uid}`;
}

export const list: Command = {
  name: 'list',
  summary: 'lists containers started by runts with the given root',
  argsUsage: '',
  description: 'Lists the containers under --root as a table, as JSON, or as ids only.',
  flags: [
    { name: 'format', short: 'f', type: 'string', usage: 'select one of: table or json', default: 'table' },
    { name: 'quiet', short: 'q', type: 'bool', usage: 'display only container IDs' },
  ],
  nargs: 0,
  async run({ store, flags }) {
    const format = flags.format as string;
    if (format !== 'table' && format !== 'json') throw new UsageError(`invalid format option "${format}"`);
    const items: Record<string, unknown>[] = [];
    for (const id of store.list()) {
      let st;
      try {
        st = store.read(id);
      } catch {
        continue; // deleted meanwhile
      }
      if (st === null) continue;
      const doc = ociState(st, store.status(st));
      doc.owner = userName(store.ownerUid(id));
      items.push(doc);
    }
    if (flags.quiet === true) {
      writeOut(items.map((i) => `${i.id as string}\n`).join(''));
    } else if (format === 'json') {
      writeOut(`${items.length === 0 ? 'null' : JSON.stringify(items)}\n`);
    } else {
      const rows = [['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER']];
      for (const i of items) rows.push([i.id, i.pid, i.status, i.bundle, i.created, i.owner].map(String));
      writeOut(formatTable(rows));
    }
    return 0;
  },
};
