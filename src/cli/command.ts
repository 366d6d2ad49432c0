import type { FlagSpec, FlagValues } from './args.js';
import type { Logger } from '../log.js';
import type { StateStore } from '../container/state-store.js';

export interface GlobalOptions {
  root: string;
  log: string | null;
  logFormat: 'text' | 'json';
  debug: boolean;
  systemdCgroup: boolean;
}

export interface CommandContext {
  global: GlobalOptions;
  store: StateStore;
  log: Logger;
  flags: FlagValues;
  args: string[];
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Shown after USAGE, e.g. "<container-id>". */
  argsUsage: string;
  description: string;
  flags: FlagSpec[];
  /** Exact positional count, or [min, max]. */
  nargs: number | [number, number];
  /** Resolves to the process exit status. */
  run(ctx: CommandContext): Promise<number>;
}
