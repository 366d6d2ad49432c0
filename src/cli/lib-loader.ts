// Loads a bundle of dist/lib (scripts/build.mjs) with V8's code cache: the
// compiled code of its <name>.js.cache, written at build time, spares the
// parse and compile of a few hundred kilobytes of JavaScript (~5 ms of
// `runts create`). A cache V8 rejects (another Node, other flags) is
// rewritten when the directory is writable, and costs only the compile
// it failed to save. Used only by the CJS bundles; tsx runs the sources.
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

/** The exports of `<dir>/<name>.js`, compiled from its code cache where V8 accepts it. */
export function loadLib(dir: string, name: string): unknown {
  const file = join(dir, `${name}.js`);
  const done = loaded.get(file);
  if (done !== undefined) return done;
  const source = readFileSync(file, 'utf8');
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch {
    cachedData = undefined;
  }
  const script = new Script(Module.wrap(source), { filename: file, cachedData });
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
  if (cachedData === undefined || script.cachedDataRejected) refreshCache(file, script);
  return mod.exports;
}

function refreshCache(file: string, script: Script): void {
  try {
    const tmp = `${file}.cache.${process.pid}`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, `${file}.cache`);
  } catch {
    // A read-only installation: compile each time.
  }
}
