// Errors whose text callers match on: containerd and conmon look for runc's
// exact strings ("container does not exist", "container not running").

// The CLI and each command's implementation are bundled separately (see
// scripts/build.mjs), each with its own copy of this class: `instanceof
// RuntsError` checks a brand shared across copies, not the prototype chain.
const BRAND = Symbol.for('runts.RuntsError');

export class RuntsError extends Error {
  readonly [BRAND] = true;

  constructor(
    message: string,
    /** Process exit status for the CLI. */
    readonly exitCode = 1,
  ) {
    super(message);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    // Subclasses keep the ordinary check (they are never compared across bundles).
    if (this !== RuntsError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

export class ContainerNotExist extends RuntsError {
  constructor() {
    super('container does not exist');
  }
}

export class ContainerNotRunning extends RuntsError {
  constructor() {
    super('container not running');
  }
}
