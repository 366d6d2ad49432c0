// Loads a bundle of dist/lib (scripts/build.mjs) with V8's code cache: the
// compiled code of its <name>.js.cache, written at build time, spares the
// parse and compile of a few hundred kilobytes of JavaScript (~5 ms of
// `runts create`). A cache V8 rejects (another Node, other flags) is
// rewritten when the directory is writable, and costs only the compile
// it failed to save. Used only by the CJS bundles; tsx runs the sources.
//
// The build's cache holds the bundle's top level only: V8 compiles a
// function when it is first called, so every command still parsed and
// compiled the functions it ran (the validators, the plan builder, the
// CLI itself: ~10 ms of `runts create`). The first command that succeeds
// with a bundle therefore writes <name>.js.trained.cache at its exit, made
// after the run, which holds those functions too; later commands load that
// one. A failed command trains nothing (it may have run only an error path).
import Module from 'node:module';
import { renameSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

interface CjsModule {
  exports: unknown;
  filename: string;
  paths: string[];
  loaded: boolean;
}

const loaded = new Map<string, unknown>();
/** Scripts loaded without a trained cache: written at a successful exit. */
const untrained = new Map<string, Script>();

function readOrUndefined(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** The exports of `<dir>/<name>.js`, compiled from its code cache where V8 accepts it. */
export function loadLib(dir: string, name: string): unknown {
  const file = join(dir, `${name}.js`);
  const done = loaded.get(file);
  if (done !== undefined) return done;
  // ASCII (the build checks it): latin1 is a plain copy, UTF-8 a decode.
  const source = readFileSync(file, 'latin1');
  const wrapped = Module.wrap(source);
  const trained = readOrUndefined(`${file}.trained.cache`);
  let script = trained === undefined ? undefined : new Script(wrapped, { filename: file, cachedData: trained });
  if (script === undefined || script.cachedDataRejected === true) {
    const buildCache = readOrUndefined(`${file}.cache`);
    script = new Script(wrapped, { filename: file, cachedData: buildCache });
    if (buildCache === undefined || script.cachedDataRejected === true) writeCache(`${file}.cache`, script);
    trainAtExit(file, script);
  }
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  const ModuleCtor = Module as unknown as {
    new (id: string, parent?: unknown): CjsModule;
    _nodeModulePaths(dir: string): string[];
  };
  const mod = new ModuleCtor(file);
  mod.filename = file;
  mod.paths = ModuleCtor._nodeModulePaths(dirname(file));
  wrapper.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, dirname(file));
  mod.loaded = true;
  loaded.set(file, mod.exports);
  return mod.exports;
}

function trainAtExit(file: string, script: Script): void {
  if (untrained.size === 0) {
    process.once('exit', (code) => {
      if (code !== 0) return;
      for (const [f, s] of untrained) writeCache(`${f}.trained.cache`, s);
    });
  }
  untrained.set(file, script);
}

function writeCache(path: string, script: Script): void {
  try {
    const tmp = `${path}.${process.pid}`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, path);
  } catch {
    // A read-only installation: compile each time.
  }
}
