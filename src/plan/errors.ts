// Semantic problems found while planning. Every check records a problem
// instead of throwing, so one run of `create` reports all of them at once,
// each addressed by the JSON pointer of the offending value (as the schema
// validator does), e.g. "config.json: /linux/namespaces/2/type: duplicate
// namespace \"pid\"".

export class PlanError extends Error {
  readonly errors: string[];

  constructor(errors: string[]) {
    super(errors.length === 1 ? errors[0] : `${errors.length} problems:\n  ${errors.join('\n  ')}`);
    this.name = 'PlanError';
    this.errors = errors;
  }
}

/** Escape one reference token for a JSON pointer (RFC 6901). */
function escapeToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** JSON pointer from path segments: pointer('mounts', 3, 'options') -> "/mounts/3/options". */
export function pointer(...segments: (string | number)[]): string {
  return segments.map((s) => `/${escapeToken(s)}`).join('');
}

/** Collects problems during one buildPlan call; never shared between calls. */
export class Problems {
  readonly messages: string[] = [];

  /** A problem in config.json at the given JSON pointer. */
  config(ptr: string, message: string): void {
    this.messages.push(`config.json: ${ptr}: ${message}`);
  }

  /** A problem with a command-line option (not part of config.json). */
  option(flag: string, message: string): void {
    this.messages.push(`${flag}: ${message}`);
  }

  throwIfAny(): void {
    if (this.messages.length > 0) throw new PlanError([...this.messages]);
  }
}
