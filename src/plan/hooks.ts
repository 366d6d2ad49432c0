// config.json "hooks" -> the normalised hooks of each kind. The schema has
// already checked the shapes (path a string, timeout an integer >= 1); this
// adds what it cannot express: the path must be absolute (config.md: "This
// specification extends the IEEE standard in that path MUST be absolute"),
// nothing may hold a NUL byte (execve could not carry it), and an argv is
// always complete (runc, like Go's exec.Cmd, uses [path] when args is empty).
import type { Hook, Hooks } from '../spec/types.js';
import { pointer, type Problems } from './errors.js';
import type { PlanHook } from './types.js';

/** In lifecycle order (runtime.md "Lifecycle", steps 3, 4, 5, 7, 9, 13). */
export const HOOK_KINDS = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'] as const;

export type HookKind = (typeof HOOK_KINDS)[number];

export type HookSet = Record<HookKind, PlanHook[]>;

function planHook(h: Hook, ptr: (...rest: (string | number)[]) => string, problems: Problems | undefined): PlanHook {
  if (typeof h.path !== 'string' || !h.path.startsWith('/')) problems?.config(ptr('path'), `"${h.path}" must be an absolute path`);
  const nul = (s: string): boolean => s.includes('\0');
  if (nul(h.path ?? '')) problems?.config(ptr('path'), 'must not contain a NUL byte');
  (h.args ?? []).forEach((a, i) => nul(a) && problems?.config(ptr('args', i), 'must not contain a NUL byte'));
  (h.env ?? []).forEach((e, i) => {
    if (nul(e)) problems?.config(ptr('env', i), 'must not contain a NUL byte');
    else if (!e.includes('=')) problems?.config(ptr('env', i), `"${e}" is not of the form NAME=value`);
  });
  if (h.timeout !== undefined && (!Number.isInteger(h.timeout) || h.timeout <= 0)) {
    problems?.config(ptr('timeout'), `${h.timeout} must be an integer greater than zero`);
  }
  const args = h.args !== undefined && h.args.length > 0 ? [...h.args] : [h.path];
  return { path: h.path, args, env: [...(h.env ?? [])], timeout: h.timeout ?? null };
}

/**
 * Every kind, each in config order ([] when absent). With `problems`, each
 * semantic error is recorded there; without, the hooks are taken as already
 * checked (create plans first, then asks again for the runtime's kinds).
 */
export function planHooks(hooks: Hooks | undefined, problems?: Problems): HookSet {
  const out = {} as HookSet;
  for (const kind of HOOK_KINDS) {
    const list = hooks?.[kind] ?? [];
    out[kind] = list.map((h, i) => planHook(h, (...rest) => pointer('hooks', kind, i, ...rest), problems));
  }
  return out;
}
