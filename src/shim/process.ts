// One process the shim runs for containerd: a container's init or an exec.
// It knows its pid once started, and its exit once the reaper saw it and its
// output was copied out; Wait callers await `exited`.
import type { ExitStatus } from './reaper.js';
import type { ProcessIO, StdioPaths } from './stdio.js';

export class ShimProcess {
  pid = 0;
  exit: ExitStatus | null = null;
  readonly exited: Promise<ExitStatus>;
  private resolveExit!: (e: ExitStatus) => void;

  constructor(
    /** The exec id; "" for the init. */
    readonly execId: string,
    readonly stdio: StdioPaths,
    readonly terminal: boolean,
    public io: ProcessIO | null,
  ) {
    this.exited = new Promise((r) => (this.resolveExit = r));
  }

  setExited(e: ExitStatus): void {
    if (this.exit) return;
    this.exit = e;
    this.io?.close();
    this.resolveExit(e);
  }
}
