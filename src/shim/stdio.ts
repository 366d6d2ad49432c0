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
//
// With a terminal the process's stdio is the pty slave (runts-init makes
// the pty and sends the master over the console socket, see ConsoleSocket):
// the shim copies stdin fifo -> master and master -> stdout fifo, and there
// is no stderr. The master's reads end with EIO once every slave fd is
// closed. When stdin reached EOF after CloseIO, an EOT (^D) goes to the
// master: the terminal's end of input for a reader in canonical mode.
//
// A log URI as stdout (see log-uri.ts) replaces both output fifos:
// file:///path gets stdout and stderr appended (through the same pipe
// copies; with a terminal, the master's copy), binary:///path gets them
// from the process's pipes directly (with a terminal, the shim copies the
// master into the logger's stdout pipe, and its stderr pipe has no writer).
// stdin still comes from its fifo. The logger lives until release(), at the
// process's Delete.
import { closeSync, constants, createWriteStream, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ReadStream } from 'node:tty';
import { bridge } from '../native/bridge.js';
import { BinaryLogger, type LoggerOwner } from './binary-logger.js';
import { parseLogTarget, type LogTarget } from './log-uri.js';

/** How long the shim waits for runts-init to connect and send the pty master. */
const CONSOLE_TIMEOUT_MS = 10_000;

/**
 * A console socket for one process: a listening unix socket in a fresh temp
 * directory, passed as --console-socket; receive() takes the pty master
 * runts-init sent (it connected during create/exec and waits for nobody),
 * close() removes the socket and its directory.
 */
export class ConsoleSocket {
  readonly path: string;
  private readonly dir: string;
  private fd: number;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'runts-console-'));
    this.path = join(this.dir, 'console.sock');
    try {
      this.fd = bridge().listenUnix(this.path);
    } catch (e) {
      rmSync(this.dir, { recursive: true, force: true });
      throw e;
    }
  }

  /** The pty master (close-on-exec); throws after a timeout. */
  receive(timeoutMs = CONSOLE_TIMEOUT_MS): number {
    return bridge().acceptFd(this.fd, timeoutMs);
  }

  close(): void {
    if (this.fd >= 0) {
      try {
        closeSync(this.fd);
      } catch {
        // closed
      }
      this.fd = -1;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface StdioPaths {
  stdin: string;
  stdout: string;
  stderr: string;
}

/** Where a copy of output goes: a fifo (opened read-write, so it never waits for a reader), or a log file (appended to). */
function openSink(target: LogTarget): Writable {
  if (target.kind === 'file') {
    mkdirSync(dirname(target.path), { recursive: true, mode: 0o755 });
    const fd = openSync(target.path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
    return createWriteStream(target.path, { fd });
  }
  const fd = openSync(target.path, constants.O_RDWR | constants.O_NONBLOCK);
  return new Socket({ fd, readable: false, writable: true });
}

export class ProcessIO {
  /** fds for the process (to pass to runts-init); closed here by childStarted(). */
  readonly childFds: [number, number, number];
  private readonly copies: Promise<void>[] = [];
  private stdinKeep = -1;
  private stdinPipe: Socket | null = null;
  private readonly owned: number[] = [];
  private stdinSrc: Socket | null = null;
  private stdinClosed = false;
  private stdinEnded = false;
  private master: ReadStream | null = null;
  private masterFd = -1;
  /** Terminal with a logging binary: the write end of its stdout pipe, until attachConsole() copies into it. */
  private ptyLogFd = -1;

  /**
   * The stdio of one process of container `owner.id`: throws InvalidArgument
   * for a stdout URI the shim cannot serve; with a binary:// URI, starts the
   * logger and waits until it is ready.
   */
  static async open(paths: StdioPaths, terminal: boolean, owner: LoggerOwner): Promise<ProcessIO> {
    const out = parseLogTarget(paths.stdout);
    const logger = out.kind === 'binary' ? await BinaryLogger.start(out, owner) : null;
    try {
      return new ProcessIO(paths, terminal, out, logger);
    } catch (e) {
      // (The constructor closed the logger's pipes.)
      await logger?.stop();
      throw e;
    }
  }

  private constructor(
    private readonly paths: StdioPaths,
    /** The process gets a pty from runts-init: its fds here are /dev/null, attachConsole() does the copies. */
    readonly terminal: boolean,
    /** Where stdout goes; stderr goes there too unless it is a fifo. */
    private readonly out: LogTarget,
    private readonly logger: BinaryLogger | null,
  ) {
    const nullFd = (flags: number): number => {
      const fd = openSync('/dev/null', flags);
      this.owned.push(fd);
      return fd;
    };
    if (logger && terminal) {
      // The pty copy writes the logger's stdout (attachConsole); its stderr gets no writer.
      this.ptyLogFd = logger.stdoutW;
      this.owned.push(logger.stderrW);
    } else if (logger) {
      // The process writes into the logger's pipes; the shim keeps no writer of its own.
      this.owned.push(logger.stdoutW, logger.stderrW);
    }
    try {
      this.childFds = this.openChildFds(paths, terminal, out, logger, nullFd);
    } catch (e) {
      this.close();
      throw e;
    }
  }

  private openChildFds(paths: StdioPaths, terminal: boolean, out: LogTarget, logger: BinaryLogger | null, nullFd: (flags: number) => number): [number, number, number] {
    if (terminal) return [nullFd(constants.O_RDONLY), nullFd(constants.O_WRONLY), nullFd(constants.O_WRONLY)];
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
    if (logger) return [inFd, logger.stdoutW, logger.stderrW];
    const pipeTo = (target: LogTarget): number => {
      if (target.path === '') return nullFd(constants.O_WRONLY);
      const [r, w] = bridge().pipe();
      this.owned.push(w);
      this.copyOut(new Socket({ fd: r, readable: true, writable: false }), target, 'error');
      return w;
    };
    // A log file takes stderr too, whatever the request's stderr says.
    const errTarget: LogTarget = out.kind === 'fifo' ? { kind: 'fifo', path: paths.stderr } : out;
    return [inFd, pipeTo(out), pipeTo(errTarget)];
  }

  /**
   * Copies `src` into `target` (see openSink) until `src` emits `endsOn`;
   * the copy is one of those the process's exit waits for.
   */
  private copyOut(src: Readable, target: LogTarget, endsOn: 'error' | 'close'): void {
    this.copyInto(src, openSink(target), endsOn);
  }

  private copyInto(src: Readable, dst: Writable, endsOn: 'error' | 'close'): void {
    this.copies.push(
      new Promise<void>((resolve) => {
        for (const event of ['error', 'finish', 'close']) dst.on(event, () => resolve());
        src.on(endsOn, () => dst.end());
      }),
    );
    src.pipe(dst);
  }

  /**
   * Terminal: copies between the fifos and the pty `master` (owned from
   * here on: closed by close() or when the slave side is gone).
   */
  attachConsole(masterFd: number): void {
    let master: ReadStream;
    try {
      master = new ReadStream(masterFd);
    } catch (e) {
      closeSync(masterFd);
      throw e;
    }
    this.master = master;
    this.masterFd = masterFd;
    master.on('error', () => master.destroy()); // EIO: the slave was closed
    if (this.ptyLogFd >= 0) {
      // Into the logger's stdout pipe: the shim's write end, closed when the master is done.
      const dst = new Socket({ fd: this.ptyLogFd, readable: false, writable: true });
      this.ptyLogFd = -1;
      dst.on('error', () => dst.destroy());
      this.copyInto(master, dst, 'close');
    } else if (this.out.path !== '') {
      this.copyOut(master, this.out, 'close');
    } else {
      master.resume();
    }
    if (this.paths.stdin !== '') {
      const fifo = openSync(this.paths.stdin, constants.O_RDONLY | constants.O_NONBLOCK);
      this.stdinKeep = openSync(this.paths.stdin, constants.O_WRONLY | constants.O_NONBLOCK);
      const src = new Socket({ fd: fifo, readable: true, writable: false });
      this.stdinSrc = src;
      src.on('error', () => src.destroy());
      src.on('data', (d: Buffer) => {
        if (!master.destroyed) master.write(d);
      });
      src.on('end', () => {
        this.stdinEnded = true;
        this.sendEot();
      });
    }
  }

  /** After CloseIO and the client's close of its stdin: ^D to the terminal. */
  private sendEot(): void {
    if (!this.stdinClosed || !this.stdinEnded || !this.master || this.master.destroyed) return;
    this.master.write(Buffer.from([4]));
  }

  /** TIOCSWINSZ on the pty master. */
  resize(rows: number, cols: number): void {
    if (!this.master || this.master.destroyed) throw new Error('the terminal is closed');
    bridge().setWinsize(this.masterFd, rows, cols);
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
    this.stdinClosed = true;
    if (this.terminal) this.sendEot();
  }

  /** Resolves once stdout and stderr were copied to EOF, or after `timeoutMs` (a leaked pipe). */
  async drained(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.copies), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  /** At the process's Delete: the logger reads what is left, then goes (see BinaryLogger.stop). */
  async release(): Promise<void> {
    await this.logger?.stop();
  }

  close(): void {
    this.childStarted();
    if (this.ptyLogFd >= 0) {
      closeSync(this.ptyLogFd);
      this.ptyLogFd = -1;
    }
    this.closeStdin();
    this.stdinPipe?.destroy();
    this.stdinSrc?.destroy();
    this.master?.destroy();
  }
}
