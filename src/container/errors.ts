// Errors whose text callers match on: containerd and conmon look for runc's
// exact strings ("container does not exist", "container not running").

export class RuntsError extends Error {
  constructor(
    message: string,
    /** Process exit status for the CLI. */
    readonly exitCode = 1,
  ) {
    super(message);
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
