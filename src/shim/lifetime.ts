// When a shim server exits. containerd sends Shutdown after each task's
// Delete, but a server shared by a group must outlive that while another
// container of the group is there, or about to come: a `start` that just
// found this server hands its address to containerd, which connects a
// moment later. So the server exits once it is idle: no container, no
// client connection, and no connection accepted for GRACE_MS (a start's
// probe, or containerd about to create). A Shutdown with no container left
// also ends it FORCE_MS later while a client keeps a connection open
// without creating anything. Pure but for the timer: unit-tested.

export const GRACE_MS = 1000;
export const FORCE_MS = 5000;
const TICK_MS = 250;

export interface LifetimeDeps {
  containers(): number;
  connections(): number;
  exit(): void;
  /** Instead of exit(): exits, or returns false where a start just handed out the address (serve.ts), which counts as a connection. */
  tryExit?(): boolean;
  now?: () => number;
}

export class Lifetime {
  private readonly now: () => number;
  /** When the last client connected (startup counts: containerd is about to). */
  private lastConnect: number;
  /** When a Shutdown found no container, while that still holds. */
  private shutdownAt: number | null = null;
  private done = false;

  constructor(private readonly d: LifetimeDeps) {
    this.now = d.now ?? (() => performance.now());
    this.lastConnect = this.now();
  }

  connected(): void {
    this.lastConnect = this.now();
  }

  shutdownRequested(): void {
    this.shutdownAt ??= this.now();
    this.check();
  }

  check(): void {
    if (this.done) return;
    if (this.d.containers() > 0) {
      this.shutdownAt = null;
      return;
    }
    const t = this.now();
    if (t - this.lastConnect < GRACE_MS) return;
    const forced = this.shutdownAt !== null && t - this.shutdownAt >= FORCE_MS && this.lastConnect <= this.shutdownAt;
    if (this.d.connections() > 0 && !forced) return;
    this.done = true;
    if (this.d.tryExit) {
      if (this.d.tryExit()) return;
      this.done = false;
      this.lastConnect = t;
      return;
    }
    this.d.exit();
  }

  startTimer(): void {
    setInterval(() => this.check(), TICK_MS).unref();
  }
}
