// Reads and schema-checks <bundle>/config.json. Every failure is a SpecError
// whose message is what the CLI prints: Go-style for I/O errors
// ("open <path>: no such file or directory", as runc users expect) and one
// line per schema violation, all of them, so a user fixes a config in one go.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Spec } from './types.js';
import { validateConfig } from './validate.js';

export class SpecError extends Error {
  constructor(
    message: string,
    /** Each problem on its own line, already prefixed with "config.json: ". */
    readonly errors: string[] = [message],
  ) {
    super(message);
    this.name = 'SpecError';
  }
}

/** "ENOENT: no such file or directory, open '/b/config.json'" -> "no such file or directory". */
function errnoText(e: NodeJS.ErrnoException): string {
  const m = /^[A-Z0-9_]+: ([^,]+),/.exec(e.message);
  return m?.[1] ?? e.message;
}

function readConfig(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new SpecError(`config.json: open ${path}: ${err.code ? errnoText(err) : String(e)}`);
  }
}

/** Parses and validates config.json text; `loadSpec` without the file system. */
export function parseSpec(text: string): Spec {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new SpecError(`config.json: invalid JSON: ${(e as Error).message}`);
  }
  const errors = validateConfig(doc);
  if (errors.length > 0) throw new SpecError(errors.join('\n'), errors);
  return doc as Spec;
}

export function loadSpec(bundleDir: string): Spec {
  return parseSpec(readConfig(join(bundleDir, 'config.json')));
}
