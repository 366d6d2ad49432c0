// What a task's stdout names, as containerd's runc shim reads it: a fifo
// path (what ctr makes by default), or a log URI (ctr run --log-uri, CRI
// plugins): file:///path appends stdout and stderr to that file,
// binary:///path?k=v starts that logging binary with the output on pipes.
// A stdout URI speaks for stderr too: the request's stderr is then ignored.
import { Code, ShimError } from './errors.js';

export type LogTarget =
  | { kind: 'fifo'; path: string }
  | { kind: 'file'; path: string }
  /** args: the query's keys and values, key then value, in their order (an empty value adds no argument); env: env.NAME=value parameters. */
  | { kind: 'binary'; path: string; args: string[]; env: Record<string, string> };

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
/** containerd passes query parameters named env.NAME to the logger as NAME (newer containerd; harmless on 1.6). */
const ENV_PREFIX = 'env.';

const bad = (msg: string): ShimError => new ShimError(Code.InvalidArgument, msg);

/** Parses a stdout value ("" included: no output); throws InvalidArgument for a URI the shim cannot serve. */
export function parseLogTarget(stdout: string): LogTarget {
  const m = SCHEME.exec(stdout);
  if (!m) return { kind: 'fifo', path: stdout };
  let url: URL;
  try {
    url = new URL(stdout);
  } catch {
    throw bad(`unable to parse stdout uri "${stdout}"`);
  }
  const scheme = m[1]!.toLowerCase();
  if (scheme !== 'fifo' && scheme !== 'file' && scheme !== 'binary') throw bad(`unknown STDIO scheme ${scheme} in "${stdout}" (fifo, file or binary)`);
  // The path is the URI's path: a host part (file://relative/x) is a mistake, not a path.
  const path = decodeURIComponent(url.pathname);
  // (A path ending in "/" names no file: "file:" parses as "/".)
  if (url.host !== '' || !path.startsWith('/') || path.endsWith('/')) throw bad(`stdout uri "${stdout}" needs an absolute path: ${scheme}:///path`);
  if (scheme === 'fifo') return { kind: 'fifo', path };
  if (scheme === 'file') return { kind: 'file', path };
  const args: string[] = [];
  const env: Record<string, string> = {};
  const seen = new Set<string>();
  for (const [k, v] of url.searchParams) {
    // Go's url.Values keeps every value, the runc shim uses the first.
    if (seen.has(k)) continue;
    seen.add(k);
    if (k.startsWith(ENV_PREFIX)) {
      const name = k.slice(ENV_PREFIX.length);
      if (name !== '' && name !== 'CONTAINER_ID' && name !== 'CONTAINER_NAMESPACE') env[name] = v;
      continue;
    }
    args.push(k);
    if (v !== '') args.push(v);
  }
  return { kind: 'binary', path, args, env };
}
