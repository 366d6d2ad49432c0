import type { FlagSpec } from '../args.js';
import type { Command } from '../command.js';

// runc 1.1.5's options (`runc update --help`), all read as text: the values
// are checked by src/container/update.ts, which accepts -1 and memory units.
const UPDATE_FLAGS: FlagSpec[] = [
  { name: 'resources', short: 'r', type: 'string', usage: "path to a file holding the linux.resources JSON to apply, or '-' for the standard input (the other options are then ignored)" },
  { name: 'blkio-weight', type: 'string', usage: 'per cgroup block IO weight, 10 to 1000' },
  { name: 'cpu-period', type: 'string', usage: 'CPU CFS period (in usecs); 0 keeps the current one' },
  { name: 'cpu-quota', type: 'string', usage: 'CPU CFS quota (in usecs) per period; -1 for none' },
  { name: 'cpu-share', type: 'string', usage: 'CPU shares (relative weight vs. other containers)' },
  { name: 'cpu-shares', type: 'string', usage: '', hidden: true },
  { name: 'cpu-rt-period', type: 'string', usage: 'CPU realtime period (in usecs)' },
  { name: 'cpu-rt-runtime', type: 'string', usage: 'CPU realtime runtime (in usecs) per period' },
  { name: 'cpuset-cpus', type: 'string', usage: 'CPUs to use, e.g. 0-3,7' },
  { name: 'cpuset-mems', type: 'string', usage: 'memory nodes to use, e.g. 0' },
  { name: 'memory', type: 'string', usage: 'memory limit in bytes (units k, m, g accepted); -1 for none' },
  { name: 'memory-reservation', type: 'string', usage: 'memory reservation (soft limit) in bytes' },
  { name: 'memory-swap', type: 'string', usage: "total memory + swap limit in bytes; '-1' for unlimited swap" },
  { name: 'kernel-memory', type: 'string', usage: '', hidden: true },
  { name: 'kernel-memory-tcp', type: 'string', usage: '', hidden: true },
  { name: 'pids-limit', type: 'string', usage: 'maximum number of pids in the container; -1 for none' },
  { name: 'l3-cache-schema', type: 'string', usage: 'Intel RDT/CAT L3 cache schema (not supported by runts)' },
  { name: 'mem-bw-schema', type: 'string', usage: 'Intel RDT/MBA memory bandwidth schema (not supported by runts)' },
];


export const update: Command = {
  name: 'update',
  summary: 'update container resource constraints',
  argsUsage: '<container-id>',
  description:
    'Changes the resource limits of a running container in its cgroups; the new values are kept in its state.\n' +
    'Either --resources FILE (or - for the standard input) with linux.resources JSON, e.g.\n' +
    '  {"memory": {"limit": 268435456}, "cpu": {"shares": 512, "quota": 50000}, "pids": {"limit": 100}}\n' +
    '(the other options are then ignored), or the options below. 0 leaves a value as it is, -1 lifts a limit.',
  flags: UPDATE_FLAGS,
  nargs: 1,
  async run({ store, log, flags, args }) {
    const { updateContainer, updateInput } = await import('../../container/update.js');
    await updateContainer(store, args[0]!, await updateInput(flags, log), log);
    return 0;
  },
};
