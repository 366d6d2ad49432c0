// Entry point of the runts CLI: global flags, command dispatch, error
// reporting (stderr "runts: <message>" plus the --log file), exit status.
import { resolve } from 'node:path';
import { flagHelp, parseArgs, UsageError, type FlagSpec } from './args.js';
import type { Command, GlobalOptions } from './command.js';
import { createLogger, silentLogger, stderrLogger, type Logger } from '../log.js';
import { DEFAULT_ROOT, SPEC_VERSION, StateStore } from '../container/state-store.js';
import { RuntsError } from '../container/errors.js';
import { create } from './commands/create.js';
import { del } from './commands/delete.js';
import { exec } from './commands/exec.js';
import { kill } from './commands/kill.js';
import { list } from './commands/list.js';
import { run } from './commands/run.js';
import { start } from './commands/start.js';
import { state } from './commands/state.js';

import { RUNTS_VERSION as VERSION } from './version.js';
import { features } from './commands/features.js';
import { spec } from './commands/spec.js';
import { events } from './commands/events.js';
import { pause } from './commands/pause.js';
import { ps } from './commands/ps.js';
import { resume } from './commands/resume.js';
import { update } from './commands/update.js';
import { writeOut } from './output.js';

export const COMMANDS: Command[] = [create, del, events, exec, features, kill, list, pause, ps, resume, run, spec, start, state, update];

export const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'debug', type: 'bool', usage: 'enable debug logging' },
  { name: 'log', type: 'string', usage: 'set the log file to write runts logs to (default is stderr)' },
  { name: 'log-format', type: 'string', usage: 'set the log format (text or json)', default: 'text' },
  { name: 'root', type: 'string', usage: 'root directory for storage of container state (this should be located in tmpfs)', default: DEFAULT_ROOT },
  { name: 'systemd-cgroup', type: 'bool', usage: 'enable systemd cgroup support (not available yet: rejected)' },
  { name: 'criu', type: 'string', usage: 'accepted for runc compatibility; checkpoint/restore is not available yet', hidden: true },
  { name: 'rootless', type: 'string', usage: 'accepted for runc compatibility (auto)', hidden: true },
  { name: 'help', short: 'h', type: 'bool', usage: 'show help' },
  { name: 'version', short: 'v', type: 'bool', usage: 'print the version' },
];

function versionText(): string {
  return `runts version ${VERSION}\nspec: ${SPEC_VERSION}\n`;
}

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `NAME:
   runts - an OCI container runtime (a drop-in replacement for runc)

USAGE:
   runts [global options] command [command options] [arguments...]

VERSION:
   ${VERSION}

COMMANDS:
${COMMANDS.map((c) => `   ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}
   help${' '.repeat(Math.max(0, width - 4))}  shows a list of commands or help for one command

GLOBAL OPTIONS:
${flagHelp(GLOBAL_FLAGS)}
`;
}

export function commandHelp(c: Command): string {
  const helpFlag: FlagSpec = { name: 'help', short: 'h', type: 'bool', usage: 'show help' };
  return `NAME:
   runts ${c.name} - ${c.summary}

USAGE:
   runts ${c.name}${c.flags.length ? ' [command options]' : ''}${c.argsUsage ? ` ${c.argsUsage}` : ''}

DESCRIPTION:
   ${c.description.replace(/\n/g, '\n   ')}

OPTIONS:
${flagHelp([...c.flags, helpFlag])}
`;
}

function checkArgCount(c: Command, n: number): void {
  const [min, max] = typeof c.nargs === 'number' ? [c.nargs, c.nargs] : c.nargs;
  if (n >= min && n <= max) return;
  if (min === 1 && n === 0) throw new UsageError(`"${c.name}" requires a container id`);
  if (min === max) throw new UsageError(`"${c.name}" requires exactly ${min} argument(s)`);
  throw new UsageError(`"${c.name}" requires ${min} to ${max === Infinity ? 'any number of' : max} arguments`);
}

export async function main(argv: string[]): Promise<number> {
  let log: Logger = silentLogger;
  let global: GlobalOptions | undefined;
  try {
    // Global flags end at the command name.
    const g = parseArgs(argv, GLOBAL_FLAGS, true);
    const logFormat = g.flags['log-format'] as string;
    if (logFormat !== 'text' && logFormat !== 'json') throw new UsageError(`unknown log-format "${logFormat}"`);
    global = {
      // As runc: a relative --root names the same directory from every later cwd (the plan's paths must be absolute).
      root: resolve(g.flags.root as string),
      log: (g.flags.log as string | undefined) ?? null,
      logFormat,
      debug: g.flags.debug === true,
      systemdCgroup: g.flags['systemd-cgroup'] === true,
    };
    log =
      global.log !== null || global.debug
        ? await createLogger({ file: global.log, format: global.logFormat, debug: global.debug })
        : stderrLogger();
    if (g.flags.version === true) {
      writeOut(versionText());
      return 0;
    }
    const [name, ...rest] = g.rest;
    if (name === undefined || g.flags.help === true || name === 'help' || name === 'h') {
      const topic = name === 'help' || name === 'h' ? rest[0] : undefined;
      const c = topic === undefined ? undefined : COMMANDS.find((x) => x.name === topic);
      if (topic !== undefined && !c) throw new UsageError(`No help topic for '${topic}'`);
      writeOut(c ? commandHelp(c) : mainHelp());
      return 0;
    }
    const cmd = COMMANDS.find((c) => c.name === name);
    if (!cmd) throw new UsageError(`unknown command "${name}" (see runts --help)`);
    const parsed = parseArgs(rest, [...cmd.flags, { name: 'help', short: 'h', type: 'bool', usage: '' }], true);
    if (parsed.flags.help === true) {
      writeOut(commandHelp(cmd));
      return 0;
    }
    checkArgCount(cmd, parsed.rest.length);
    if (global.systemdCgroup) {
      throw new RuntsError('--systemd-cgroup: the systemd cgroup driver is not available in runts yet; use the cgroupfs driver (omit the flag)');
    }
    log.debug(`runts ${cmd.name}`, { args: parsed.rest });
    return await cmd.run({ global, store: new StateStore(global.root), log, flags: parsed.flags, args: parsed.rest });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`runts: ${msg}\n`);
    // Stack traces only for surprises, not for configuration or usage errors.
    const expected = e instanceof RuntsError || e instanceof UsageError || (e instanceof Error && 'errors' in e);
    if (global?.debug && e instanceof Error && !expected) process.stderr.write(`${e.stack}\n`);
    log.error(msg);
    return e instanceof RuntsError ? e.exitCode : 1;
  } finally {
    log.close();
  }
}
