// What a case gets: one runtime, a temp dir of its own, unique container ids,
// bundles, the runtime's CLI (output through files: a created container
// inherits the runtime's stdio, and a pipe would hold spawnSync until it
// exits) and checks that throw. Everything a case makes is undone in
// `finish()`, whether the case passed or not.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { baseSpec, writeBundle, type Json } from './bundle.ts';
import type { Runtime } from './runtimes.ts';

export const env: NodeJS.ProcessEnv = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS; // ~80 ms per Node start
delete env.NODE_OPTIONS;

export class Skip extends Error {}

export interface Result {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The cgroup (relative to each hierarchy's root) all the suite's containers live under. */
export const SUITE_CGROUP = `/runts-conformance-${process.pid}`;

let seq = 0;

export class Ctx {
  readonly ids: string[] = [];
  private readonly undo: (() => void)[] = [];
  private n = 0;

  constructor(
    readonly rt: Runtime,
    readonly dir: string,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** A container id unique to this run of the suite (it holds our pid). */
  id(): string {
    const id = `conf${process.pid}-${this.rt.name}-${seq++}`;
    this.ids.push(id);
    return id;
  }

  /** The cgroupsPath for container `id`. */
  cgroupsPath(id: string): string {
    return `${SUITE_CGROUP}/${this.rt.name}/${id}`;
  }

  /** The base config for a container that runs `sh -c script`. */
  spec(script: string, id: string): Json {
    return baseSpec(script, this.cgroupsPath(id));
  }

  bundle(spec: Json): string {
    const b = join(this.dir, `bundle${this.n++}`);
    writeBundle(b, spec);
    return b;
  }

  tmp(name: string): string {
    const d = join(this.dir, `${name}${this.n++}`);
    mkdirSync(d, { recursive: true });
    return d;
  }

  /** Runs argv to completion with stdout/stderr captured through files. */
  exec(argv: string[], opts: { input?: string; timeout?: number; cwd?: string } = {}): Result {
    const out = join(this.dir, `.out${this.n}`);
    const err = join(this.dir, `.err${this.n++}`);
    const outFd = openSync(out, 'w+');
    const errFd = openSync(err, 'w+');
    try {
      const r = spawnSync(argv[0]!, argv.slice(1), {
        env,
        input: opts.input,
        cwd: opts.cwd,
        stdio: [opts.input === undefined ? 'ignore' : 'pipe', outFd, errFd],
        timeout: opts.timeout ?? 30_000,
        killSignal: 'SIGKILL',
      });
      return { status: r.status, signal: r.signal, stdout: readFileSync(out, 'utf8'), stderr: readFileSync(err, 'utf8') };
    } finally {
      closeSync(outFd);
      closeSync(errFd);
      rmSync(out, { force: true });
      rmSync(err, { force: true });
    }
  }

  /** The runtime's CLI: `<runtime> --root <root> ...args`. */
  cli(args: string[], opts: { input?: string; timeout?: number; cwd?: string } = {}): Result {
    return this.exec(this.rt.argv(args), opts);
  }

  /** Like cli(), but a non-zero exit fails the case. */
  must(args: string[], opts: { input?: string; timeout?: number; cwd?: string } = {}): Result {
    const r = this.cli(args, opts);
    if (r.status !== 0) throw new Error(`${args[0]} exited ${r.status ?? r.signal}: ${r.stderr.trim().slice(0, 300)}`);
    return r;
  }

  /**
   * `run` a container whose process is `sh -c script` after `edit` changed the
   * base config; returns its output. A non-zero exit fails the case unless
   * `allowFail`.
   */
  run(script: string, edit: (spec: Json, id: string) => void = () => {}, opts: { allowFail?: boolean } = {}): Result {
    const id = this.id();
    const spec = this.spec(script, id);
    edit(spec, id);
    const b = this.bundle(spec);
    const r = this.cli(['run', '--bundle', b, id]);
    if (r.status !== 0 && !opts.allowFail) {
      throw new Error(`run exited ${r.status ?? r.signal}: ${(r.stderr || r.stdout).trim().slice(0, 400)}`);
    }
    return r;
  }

  /** `create` a container (its init waits for `start`); returns its id and bundle. */
  create(script: string, edit: (spec: Json, id: string) => void = () => {}, extra: string[] = []): { id: string; bundle: string; spec: Json } {
    const id = this.id();
    const spec = this.spec(script, id);
    edit(spec, id);
    const bundle = this.bundle(spec);
    this.must(['create', '--bundle', bundle, ...extra, id]);
    return { id, bundle, spec };
  }

  state(id: string): Json {
    const r = this.must(['state', id]);
    return JSON.parse(r.stdout);
  }

  defer(fn: () => void): void {
    this.undo.push(fn);
  }

  /** Force-deletes every container the case made and runs its deferred undo steps. */
  finish(): void {
    for (const id of this.ids) this.cli(['delete', '--force', id], { timeout: 20_000 });
    for (const fn of this.undo.reverse()) {
      try {
        fn();
      } catch {
        /* best effort */
      }
    }
  }
}

// ---- checks ----

export function fail(msg: string): never {
  throw new Error(msg);
}

export function eq(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) fail(`${what}: got ${a}, want ${e}`);
}

export function ok(cond: unknown, msg: string): void {
  if (!cond) fail(msg);
}

export function skip(reason: string): never {
  throw new Skip(reason);
}

/** Lines of `key: value` or `key=value` output, as printed by the checker scripts. */
export function kv(text: string, sep = '='): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf(sep);
    if (i > 0) m.set(line.slice(0, i).trim(), line.slice(i + sep.length).trim());
  }
  return m;
}

/** Sleeps synchronously (the suite runs one thing at a time). */
export function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Polls `fn` until it is true or `ms` pass. */
export function until(fn: () => boolean, ms = 10_000): boolean {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (fn()) return true;
    sleepMs(20);
  }
  return fn();
}
