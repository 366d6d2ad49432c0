// npm run conformance [-- --runtime name=path ...] [--only name[,name]] [--filter substring]
import type { RuntimeChoice } from './runtimes.ts';

export interface Options {
  runtimes: RuntimeChoice[];
  only: string[];
  filter: string[];
}

export const USAGE = `usage: npm run conformance -- [--runtime NAME=PATH]... [--only NAME[,NAME]] [--filter SUBSTRING]...
  --runtime  compare this runtime (repeatable; default: runts, runc, crun where installed)
  --only     run only these of the runtimes
  --filter   run only cases whose name contains one of these`;

export function parseArgs(argv: string[]): Options {
  const o: Options = { runtimes: [], only: [], filter: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') && a.startsWith('--') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    if (flag === '--runtime') {
      const v = value();
      const eq = v.indexOf('=');
      o.runtimes.push(eq > 0 ? { name: v.slice(0, eq), path: v.slice(eq + 1) } : { name: v });
    } else if (flag === '--only') o.only.push(...value().split(','));
    else if (flag === '--filter') o.filter.push(value());
    else if (flag === '-h' || flag === '--help') throw new Error(USAGE);
    else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  return o;
}
