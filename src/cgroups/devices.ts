// The device cgroup, one model for both hierarchies.
//
// runtime-spec: linux.resources.devices is applied in the listed order. runc
// (1.1.5, checked on this host with `runc run` and devices.list) starts from
// "deny everything", applies the config's rules, then appends its own
// default allow list, so the defaults below can never be denied by a config
// rule. runts does the same.
//
// The rules are folded into the state the v1 kernel would end up in
// (security/device_cgroup.c semantics): a default behaviour plus exceptions
// keyed by type:major:minor, each with an access mask.
//   - a rule of type "a" (or no type) resets: default allow or deny, no
//     exceptions. The kernel ignores major, minor and access on such a rule,
//     and so does this model.
//   - a rule whose verdict differs from the default adds an exception; an
//     exception for the same key gains the access bits (the kernel merges).
//   - a rule whose verdict equals the default removes those access bits from
//     the exception with exactly that key (dropping it at zero); it does not
//     touch wider or narrower exceptions.
//   - a request is allowed, under default deny, when one exception matching
//     type/major/minor (wildcards match all) holds every requested bit; under
//     default allow, it is denied when one matching exception holds any
//     requested bit.
// v1 writes the transition from the cgroup's current devices.list to that
// state; v2 compiles the same state into an eBPF program (devices-bpf.ts),
// so a rule set means the same thing on both.
import type { LinuxDeviceCgroup } from '../spec/types.js';
import { CgroupError } from './fs.js';

/** Access bits, with the values BPF_DEVCG_ACC_* use. */
export const ACC_MKNOD = 1;
export const ACC_READ = 2;
export const ACC_WRITE = 4;
export const ACC_ALL = ACC_MKNOD | ACC_READ | ACC_WRITE;

/** -1 in major/minor means every number ("*"). */
export const WILDCARD = -1;

export type DeviceType = 'a' | 'c' | 'b';

export interface DeviceRule {
  allow: boolean;
  type: DeviceType;
  major: number;
  minor: number;
  access: number;
}

export interface DeviceException {
  type: 'c' | 'b';
  major: number;
  minor: number;
  access: number;
}

export interface DeviceState {
  defaultAllow: boolean;
  /** Keyed "c 1:3"; insertion order kept (it is the order of the rules). */
  exceptions: Map<string, DeviceException>;
}

/** The devices runc 1.1.5 always allows (verified: devices.list of a runc container on this host). */
export const DEFAULT_DEVICE_RULES: readonly DeviceRule[] = [
  { allow: true, type: 'c', major: WILDCARD, minor: WILDCARD, access: ACC_MKNOD },
  { allow: true, type: 'b', major: WILDCARD, minor: WILDCARD, access: ACC_MKNOD },
  { allow: true, type: 'c', major: 1, minor: 3, access: ACC_ALL }, // /dev/null
  { allow: true, type: 'c', major: 1, minor: 8, access: ACC_ALL }, // /dev/random
  { allow: true, type: 'c', major: 1, minor: 7, access: ACC_ALL }, // /dev/full
  { allow: true, type: 'c', major: 5, minor: 0, access: ACC_ALL }, // /dev/tty
  { allow: true, type: 'c', major: 1, minor: 5, access: ACC_ALL }, // /dev/zero
  { allow: true, type: 'c', major: 1, minor: 9, access: ACC_ALL }, // /dev/urandom
  { allow: true, type: 'c', major: 136, minor: WILDCARD, access: ACC_ALL }, // /dev/pts/*
  { allow: true, type: 'c', major: 5, minor: 2, access: ACC_ALL }, // /dev/ptmx
  { allow: true, type: 'c', major: 10, minor: 200, access: ACC_ALL }, // /dev/net/tun
];

export function accessFromString(s: string): number | null {
  let acc = 0;
  for (const ch of s) {
    if (ch === 'r') acc |= ACC_READ;
    else if (ch === 'w') acc |= ACC_WRITE;
    else if (ch === 'm') acc |= ACC_MKNOD;
    else return null;
  }
  return acc;
}

/** "rwm" order, as devices.list prints it. */
export function accessToString(acc: number): string {
  return (acc & ACC_READ ? 'r' : '') + (acc & ACC_WRITE ? 'w' : '') + (acc & ACC_MKNOD ? 'm' : '');
}

/**
 * Config rules -> DeviceRule, or the problems (JSON pointer + text). Unset
 * type, major, minor mean "all" (spec); unset access means "rwm", by the
 * same reading. A negative major/minor is taken as the wildcard too (Go
 * clients write -1 for it).
 */
export function normalizeDeviceRules(rules: LinuxDeviceCgroup[], problems: string[], base = '/linux/resources/devices'): DeviceRule[] {
  const out: DeviceRule[] = [];
  rules.forEach((r, i) => {
    const at = `config.json: ${base}/${i}`;
    const type = r.type ?? 'a';
    if (type !== 'a' && type !== 'c' && type !== 'b') {
      problems.push(`${at}/type: "${type}" is not a device cgroup type (a, c or b)`);
      return;
    }
    const access = r.access === undefined ? ACC_ALL : accessFromString(r.access);
    if (access === null) {
      problems.push(`${at}/access: "${r.access}" is not a combination of r, w and m`);
      return;
    }
    const num = (v: number | undefined, field: string): number | null => {
      if (v === undefined || v < 0) return WILDCARD;
      if (!Number.isInteger(v) || v > 0x7fffffff) {
        problems.push(`${at}/${field}: ${v} is not a device number`);
        return null;
      }
      return v;
    };
    const major = num(r.major, 'major');
    const minor = num(r.minor, 'minor');
    if (major === null || minor === null) return;
    out.push({ allow: r.allow, type, major, minor, access });
  });
  return out;
}

export function exceptionKey(type: string, major: number, minor: number): string {
  const n = (v: number) => (v === WILDCARD ? '*' : String(v));
  return `${type} ${n(major)}:${n(minor)}`;
}

export function denyAllState(): DeviceState {
  return { defaultAllow: false, exceptions: new Map() };
}

/** One rule applied to a state, as the v1 kernel would (see the top of the file). */
export function applyDeviceRule(state: DeviceState, rule: DeviceRule): void {
  if (rule.type === 'a') {
    state.defaultAllow = rule.allow;
    state.exceptions.clear();
    return;
  }
  const key = exceptionKey(rule.type, rule.major, rule.minor);
  const existing = state.exceptions.get(key);
  if (rule.allow !== state.defaultAllow) {
    if (existing) existing.access |= rule.access;
    else state.exceptions.set(key, { type: rule.type, major: rule.major, minor: rule.minor, access: rule.access });
  } else if (existing) {
    existing.access &= ~rule.access;
    if (existing.access === 0) state.exceptions.delete(key);
  }
}

/** The state a container gets: deny all, the config's rules in order, runc's defaults. */
export function deviceTargetState(rules: readonly DeviceRule[], defaults: readonly DeviceRule[] = DEFAULT_DEVICE_RULES): DeviceState {
  const state = denyAllState();
  for (const r of rules) applyDeviceRule(state, r);
  for (const r of defaults) applyDeviceRule(state, r);
  return state;
}

/** The decision a state gives for one request (the reference the BPF program is tested against). */
export function deviceAllowed(state: DeviceState, type: 'c' | 'b', major: number, minor: number, access: number): boolean {
  for (const ex of state.exceptions.values()) {
    if (ex.type !== type) continue;
    if (ex.major !== WILDCARD && ex.major !== major) continue;
    if (ex.minor !== WILDCARD && ex.minor !== minor) continue;
    if (state.defaultAllow) {
      if ((ex.access & access) !== 0) return false;
    } else if ((access & ~ex.access) === 0) {
      return true;
    }
  }
  return state.defaultAllow;
}

/**
 * devices.list as the kernel prints it. Under default allow it prints only
 * "a *:* rwm" and hides the deny exceptions, so that state is "unknown".
 */
export function parseDevicesList(text: string): DeviceState | 'allow-all-unknown' {
  const state = denyAllState();
  for (const line of text.split('\n')) {
    const l = line.trim();
    if (l === '') continue;
    const m = /^([acb]) (\*|\d+):(\*|\d+) ([rwm]*)$/.exec(l);
    if (!m) throw new CgroupError(`devices.list: cannot parse "${l}"`);
    if (m[1] === 'a') return 'allow-all-unknown';
    const num = (s: string) => (s === '*' ? WILDCARD : Number(s));
    applyDeviceRule(state, { allow: true, type: m[1] as 'c' | 'b', major: num(m[2]!), minor: num(m[3]!), access: accessFromString(m[4]!) ?? 0 });
  }
  return state;
}

export interface DeviceWrite {
  file: 'devices.allow' | 'devices.deny';
  value: string;
}

function exceptionString(ex: DeviceException, access: number): string {
  return `${exceptionKey(ex.type, ex.major, ex.minor)} ${accessToString(access)}`;
}

/**
 * The writes that take a v1 devices cgroup from `current` to `target`. When
 * the default behaviour changes (or the current deny list is hidden) it
 * starts over with "a"; otherwise it only adds and removes the differing
 * access bits, additions first, so a running container (update) never sees
 * a device it keeps flicker to denied. (Under default allow the exceptions
 * are denials: added to devices.deny, removed through devices.allow.)
 */
export function v1DeviceWrites(current: DeviceState | 'allow-all-unknown', target: DeviceState): DeviceWrite[] {
  const addFile = target.defaultAllow ? 'devices.deny' : 'devices.allow';
  const removeFile = target.defaultAllow ? 'devices.allow' : 'devices.deny';
  const writes: DeviceWrite[] = [];
  if (current === 'allow-all-unknown' || current.defaultAllow !== target.defaultAllow) {
    writes.push({ file: target.defaultAllow ? 'devices.allow' : 'devices.deny', value: 'a' });
    for (const ex of target.exceptions.values()) writes.push({ file: addFile, value: exceptionString(ex, ex.access) });
    return writes;
  }
  for (const [key, ex] of target.exceptions) {
    const missing = ex.access & ~(current.exceptions.get(key)?.access ?? 0);
    if (missing) writes.push({ file: addFile, value: exceptionString(ex, missing) });
  }
  for (const [key, ex] of current.exceptions) {
    const extra = ex.access & ~(target.exceptions.get(key)?.access ?? 0);
    if (extra) writes.push({ file: removeFile, value: exceptionString(ex, extra) });
  }
  return writes;
}

/** devices.list text for a state (what the kernel would print). */
export function formatDevicesList(state: DeviceState): string {
  if (state.defaultAllow) return 'a *:* rwm\n';
  return [...state.exceptions.values()].map((ex) => exceptionString(ex, ex.access) + '\n').join('');
}
