// The shim's command line, as containerd 1.6 writes it (Go flag syntax:
// -name value, -name=value, --name; booleans without a value), then the
// action: start, delete, or serve (the server process start forks, with
// -socket naming the socket it inherits as fd 3).
export interface ShimArgs {
  namespace: string;
  address: string;
  publishBinary: string;
  id: string;
  bundle: string;
  socket: string;
  debug: boolean;
  version: boolean;
  action: string;
}

/**
 * Set (to an fd number) by launcher.sh's start: the `serve` it runs is to do
 * the start itself and answer on that fd (start.ts, startInPlace).
 */
export const ANSWER_FD_ENV = 'RUNTS_SHIM_ANSWER_FD';

const BOOLEANS = new Set(['debug', 'v']);
const STRINGS: Record<string, keyof ShimArgs> = { namespace: 'namespace', address: 'address', 'publish-binary': 'publishBinary', id: 'id', bundle: 'bundle', socket: 'socket' };

export function parseShimArgs(argv: readonly string[]): ShimArgs {
  const a: ShimArgs = { namespace: '', address: '', publishBinary: '', id: '', bundle: '', socket: '', debug: false, version: false, action: '' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-')) {
      a.action = arg;
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    if (BOOLEANS.has(name)) {
      const on = eq < 0 ? true : body.slice(eq + 1) !== 'false';
      if (name === 'v') a.version = on;
      else a.debug = on;
      continue;
    }
    const key = STRINGS[name];
    if (key === undefined) {
      // Flags of later containerd versions this shim does not use: skip their value.
      if (eq < 0 && i + 1 < argv.length && !argv[i + 1]!.startsWith('-')) i++;
      continue;
    }
    const value = eq < 0 ? argv[++i] : body.slice(eq + 1);
    if (value === undefined) throw new Error(`flag needs an argument: -${name}`);
    (a as unknown as Record<string, string>)[key] = value;
  }
  return a;
}
