// A process's stdio as containerd gives it: paths of fifos (made by the
// client, e.g. ctr) or "" for none. The process gets pipes; the shim copies
// stdout and stderr pipe -> fifo and stdin fifo -> pipe, so a client may go
// and come back, and stdin's end is the client's to decide (CloseIO).
//
// The output fifos are opened read-write and non-blocking, so the open never
// waits for a reader and the client sees EOF when the shim closes its end
// after the process's pipe reached EOF. The stdin fifo is opened read-only
// with a second, write-only "keep" fd: without it the copy would see EOF
// before the client opened its end; CloseIO closes it, and the client's
// close then ends the process's stdin.
import { closeSync, constants, openSync } from 'node:fs';
import { Socket } from 'node:net';
import { bridge } from '../native/bridge.js';

export interface StdioPaths {
  stdin: string;
  stdout: string;
  stderr: string;
}

export class ProcessIO {
  /** fds for the process (to pass to runts-init); closed here by childStarted(). */
  readonly childFds: [number, number, number];
  private readonly copies: Promise<void>[] = [];
  private stdinKeep = -1;
  private stdinPipe: Socket | null = null;
  private readonly owned: number[] = [];

  constructor(paths: StdioPaths) {
    const nullFd = (flags: number): number => {
      const fd = openSync('/dev/null', flags);
      this.owned.push(fd);
      return fd;
    };
    let inFd: number;
    if (paths.stdin !== '') {
      const [r, w] = bridge().pipe();
      inFd = r;
      this.owned.push(r);
      const fifo = openSync(paths.stdin, constants.O_RDONLY | constants.O_NONBLOCK);
      this.stdinKeep = openSync(paths.stdin, constants.O_WRONLY | constants.O_NONBLOCK);
      const src = new Socket({ fd: fifo, readable: true, writable: false });
      const dst = new Socket({ fd: w, readable: false, writable: true });
      dst.on('error', () => {});
      src.on('error', () => dst.destroy());
      src.pipe(dst);
      this.stdinPipe = dst;
    } else {
      inFd = nullFd(constants.O_RDONLY);
    }
    const out = (path: string): number => {
      if (path === '') return nullFd(constants.O_WRONLY);
      const [r, w] = bridge().pipe();
      this.owned.push(w);
      const fifo = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
      const src = new Socket({ fd: r, readable: true, writable: false });
      const dst = new Socket({ fd: fifo, readable: false, writable: true });
      this.copies.push(
        new Promise<void>((resolve) => {
          dst.on('error', () => resolve());
          dst.on('finish', () => resolve());
          dst.on('close', () => resolve());
          src.on('error', () => dst.end());
        }),
      );
      src.pipe(dst);
      return w;
    };
    this.childFds = [inFd, out(paths.stdout), out(paths.stderr)];
  }

  /** The process has its copies of the fds: the shim's are closed, so EOF can come. */
  childStarted(): void {
    for (const fd of this.owned.splice(0)) {
      try {
        closeSync(fd);
      } catch {
        // closed
      }
    }
  }

  /** CloseIO: the client will send no more input. */
  closeStdin(): void {
    if (this.stdinKeep >= 0) {
      closeSync(this.stdinKeep);
      this.stdinKeep = -1;
    }
  }

  /** Resolves once stdout and stderr were copied to EOF, or after `timeoutMs` (a leaked pipe). */
  async drained(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.copies), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  close(): void {
    this.childStarted();
    this.closeStdin();
    this.stdinPipe?.destroy();
  }
}
