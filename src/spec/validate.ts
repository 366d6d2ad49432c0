// Schema validation of the runtime-spec documents with the validators
// generated at build time (scripts/gen-validators.mjs): nothing is compiled
// here. Each function returns every error, one formatted line each, or [].
//
// Lines read "<prefix>: <JSON pointer or "/">: <message>". ajv's raw messages
// leave out what the reader needs most (which values an enum allows, which
// property is extra), print 2^63-1 as 9223372036854776000, and with allErrors
// repeat themselves under anyOf/oneOf; formatErrors fixes those.
import {
  validateConfig as configValidator,
  validateFeatures as featuresValidator,
  validateProcess as processValidator,
  validateState as stateValidator,
  type GeneratedError,
  type GeneratedValidator,
} from '../../build/gen/validators.js';

// The (u)int64 bounds as written in the spec: JSON numbers are doubles, so the
// schema holds them rounded and ajv would print the rounded value.
const EXACT_BOUNDS = new Map<number, string>([
  [2 ** 64, '18446744073709551615'],
  [2 ** 63, '9223372036854775807'],
  [-(2 ** 63), '-9223372036854775808'],
]);

// Keywords whose failure only says "a sub-schema failed"; the sub-schema's own
// errors (reported alongside with allErrors) say why.
const WRAPPER_KEYWORDS = new Set(['anyOf', 'oneOf', 'if']);

/** The message for one error; `type` errors are merged per path by formatErrors. */
function describe(e: GeneratedError): string {
  const p = e.params;
  switch (e.keyword) {
    case 'enum':
      return `must be equal to one of the allowed values (${(p.allowedValues as unknown[]).map(String).join(', ')})`;
    case 'const':
      return `must be equal to ${JSON.stringify(p.allowedValue)}`;
    case 'required':
      return `must have required property '${String(p.missingProperty)}'`;
    case 'additionalProperties':
      return `must NOT have additional property '${String(p.additionalProperty)}'`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const limit = p.limit as number;
      return `must be ${String(p.comparison)} ${EXACT_BOUNDS.get(limit) ?? String(limit)}`;
    }
    default:
      return e.message ?? `must pass "${e.keyword}" keyword validation`;
  }
}

/** True if `path` is `parent` or lies below it, as JSON pointers. */
function within(path: string, parent: string): boolean {
  return path === parent || path.startsWith(`${parent}/`);
}

function explainedElsewhere(e: GeneratedError, all: readonly GeneratedError[]): boolean {
  if (!WRAPPER_KEYWORDS.has(e.keyword)) return false;
  // oneOf also fails when several branches pass; then nothing else explains it.
  if (e.keyword === 'oneOf' && e.params.passingSchemas != null) return false;
  return all.some((o) => !WRAPPER_KEYWORDS.has(o.keyword) && within(o.instancePath, e.instancePath));
}

/** Formats ajv errors; exported for the unit tests of the wording. */
export function formatErrors(prefix: string, errors: readonly GeneratedError[] | null | undefined): string[] {
  const all = errors ?? [];
  // Drop a wrapper's own line when more specific errors explain it.
  const kept = all.filter((e) => !explainedElsewhere(e, all));
  // A union type (["array", "null"]) and anyOf branches each report "must be
  // T"; say "must be A or B" once per path instead.
  const typesAt = new Map<string, string[]>();
  for (const e of kept) {
    if (e.keyword !== 'type') continue;
    const list = typesAt.get(e.instancePath) ?? [];
    const t = e.params.type as string | string[];
    for (const one of Array.isArray(t) ? t : String(t).split(',')) if (!list.includes(one)) list.push(one);
    typesAt.set(e.instancePath, list);
  }
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const e of kept) {
    const msg = e.keyword === 'type' ? `must be ${(typesAt.get(e.instancePath) ?? []).join(' or ')}` : describe(e);
    const line = `${prefix}: ${e.instancePath || '/'}: ${msg}`;
    if (seen.has(line)) continue;
    seen.add(line);
    lines.push(line);
  }
  return lines;
}

function run(validator: GeneratedValidator, prefix: string, doc: unknown): string[] {
  if (validator(doc)) return [];
  return formatErrors(prefix, validator.errors);
}

/** Lines like `config.json: /process/args: must be array`. */
export function validateConfig(doc: unknown): string[] {
  return run(configValidator, 'config.json', doc);
}

/** Lines like `state: /status: must be equal to one of the allowed values (...)`. */
export function validateState(doc: unknown): string[] {
  return run(stateValidator, 'state', doc);
}

/** Lines like `features: /ociVersionMax: must be string`. */
export function validateFeatures(doc: unknown): string[] {
  return run(featuresValidator, 'features', doc);
}

/** Lines like `process.json: /args: must be array` (a process.json for `exec --process`). */
export function validateProcess(doc: unknown): string[] {
  return run(processValidator, 'process.json', doc);
}
