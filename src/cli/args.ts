// Argument parsing with the rules runc's CLI library follows, because callers
// (containerd, conmon, dockerd) were written against it: a long flag may be
// written -name or --name, its value as "--name value" or "--name=value", a
// boolean as "--name" or "--name=true|false", and flag parsing stops at the
// first positional argument (so `exec <id> sh -c ...` keeps "-c" for sh).

export type FlagType = 'bool' | 'string' | 'uint' | 'strings';

export interface FlagSpec {
  name: string;
  short?: string;
  type: FlagType;
  /** Placeholder shown in help, e.g. "value". */
  usage: string;
  default?: string | number | boolean;
  /** Hidden from help (accepted for compatibility). */
  hidden?: boolean;
}

export type FlagValues = Record<string, string | number | boolean | string[] | undefined>;

export class UsageError extends Error {}

export interface Parsed {
  flags: FlagValues;
  rest: string[];
}

function findFlag(specs: readonly FlagSpec[], name: string): FlagSpec | undefined {
  return specs.find((s) => s.name === name || s.short === name);
}

function parseBool(name: string, value: string): boolean {
  if (value === 'true' || value === '1' || value === 't' || value === 'T' || value === 'TRUE' || value === 'True') return true;
  if (value === 'false' || value === '0' || value === 'f' || value === 'F' || value === 'FALSE' || value === 'False') return false;
  throw new UsageError(`invalid boolean value "${value}" for flag -${name}`);
}

function parseUint(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`invalid value "${value}" for flag -${name}: must be a non-negative integer`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new UsageError(`invalid value "${value}" for flag -${name}: out of range`);
  return n;
}

/**
 * Parses `argv` against `specs`. With `stopAtPositional` false, flags after
 * positionals are still parsed (used for the global flags, which precede the
 * command name anyway).
 */
export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[], stopAtPositional = true): Parsed {
  const flags: FlagValues = {};
  for (const s of specs) {
    if (s.default !== undefined) flags[s.name] = s.default;
    else if (s.type === 'bool') flags[s.name] = false;
    else if (s.type === 'strings') flags[s.name] = [];
  }
  const rest: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      if (stopAtPositional) {
        rest.push(...argv.slice(i));
        break;
      }
      rest.push(arg);
      i++;
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const spec = findFlag(specs, name);
    if (!spec) throw new UsageError(`flag provided but not defined: -${name}`);
    let value: string | undefined = eq >= 0 ? body.slice(eq + 1) : undefined;
    if (spec.type === 'bool') {
      flags[spec.name] = value === undefined ? true : parseBool(name, value);
      i++;
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: -${name}`);
      value = argv[i + 1]!;
      i += 2;
    } else {
      i++;
    }
    if (spec.type === 'uint') flags[spec.name] = parseUint(name, value);
    else if (spec.type === 'strings') (flags[spec.name] as string[]).push(value);
    else flags[spec.name] = value;
  }
  return { flags, rest };
}

export function flagHelp(specs: readonly FlagSpec[]): string {
  const rows = specs
    .filter((s) => !s.hidden)
    .map((s) => {
      const value = s.type === 'bool' ? '' : ' value';
      const names = [`--${s.name}${value}`];
      if (s.short) names.push(`-${s.short}${value}`);
      let usage = s.usage;
      if (s.default !== undefined && s.type !== 'bool') usage += ` (default: ${JSON.stringify(s.default)})`;
      return [names.join(', '), usage] as const;
    });
  const width = Math.max(0, ...rows.map((r) => r[0].length));
  return rows.map(([n, u]) => `   ${n.padEnd(width)}  ${u}`).join('\n');
}
