// What the shim holds about one container: its bundle, whether it mounted
// the rootfs, its init and its exec'd processes. Nothing here is shared
// between containers.
import type { ShimProcess } from './process.js';

export class ShimContainer {
  readonly execs = new Map<string, ShimProcess>();
  /** Exec ids whose process spec (JSON) waits for Start. */
  readonly execSpecs = new Map<string, Uint8Array>();

  constructor(
    readonly id: string,
    readonly bundle: string,
    readonly init: ShimProcess,
    readonly mountedRootfs: boolean,
  ) {}

  process(execId: string): ShimProcess | undefined {
    return execId === '' ? this.init : this.execs.get(execId);
  }
}
