// spec.mounts -> PlanMount[], in config order (the spec requires it).
import type { Mount } from '../spec/types.js';
import type { NamespaceType, PlanIdmap, PlanMount } from './types.js';
import { pointer, type Problems } from './errors.js';
import { checkMappings } from './id-mappings.js';
import { MS_BIND, MS_REC } from './linux-constants.js';
import { parseMountOptions } from './mount-options.js';
import { bundlePath, cleanContainerPath, isWithin } from './paths.js';
import type { NamespaceSet } from './namespaces.js';

/**
 * Files under /proc that may be mounted over: the ones LXCFS emulates, plus
 * ns_last_pid for CRIU. Anything else under /proc is refused, as runc does,
 * because over-mounting procfs entries can disable the protections masked
 * and readonly paths give (CVE-2019-19921). This check is lexical; runts-init
 * must repeat it on the resolved destination.
 */
export const PROC_MOUNT_ALLOWLIST: ReadonlySet<string> = new Set([
  '/proc/cpuinfo',
  '/proc/diskstats',
  '/proc/meminfo',
  '/proc/stat',
  '/proc/swaps',
  '/proc/uptime',
  '/proc/loadavg',
  '/proc/slabinfo',
  '/proc/net/dev',
  '/proc/sys/kernel/ns_last_pid',
]);

/**
 * Filesystems the kernel lets a new user namespace mount only when it also
 * owns the namespace they describe; otherwise mount(2) fails with EPERM.
 */
const NEEDS_OWN_NAMESPACE: ReadonlyMap<string, NamespaceType> = new Map([
  ['proc', 'pid'],
  ['sysfs', 'network'],
  ['mqueue', 'ipc'],
]);

/**
 * Tells what a bind mount source is, so the destination can be created as a
 * directory or a file. Returns null when unknown (missing or not probed).
 */
export type SourceKind = (hostPath: string) => 'dir' | 'file' | null;

export interface MountContext {
  bundle: string;
  namespaces: NamespaceSet;
  sourceKind: SourceKind;
  warn: (message: string) => void;
  problems: Problems;
}

function planMount(m: Mount, i: number, ctx: MountContext): PlanMount | null {
  const at = (...rest: (string | number)[]) => pointer('mounts', i, ...rest);
  const { problems } = ctx;
  let ok = true;

  if (!m.destination.startsWith('/')) {
    // runtime-spec: relative destinations are deprecated but MUST be taken relative to "/".
    ctx.warn(`config.json: ${at('destination')}: mount destination "${m.destination}" is not absolute; using it relative to "/"`);
  }
  const destination = cleanContainerPath(m.destination);
  if (destination === '/') {
    problems.config(at('destination'), 'a mount over "/" would hide the rootfs; set root.path instead');
    ok = false;
  }

  const options = parseMountOptions(m.options ?? []);
  for (const [j, message] of options.problems) {
    problems.config(at('options', j), message);
    ok = false;
  }
  // type "bind" alone means a (non-recursive) bind mount, as in crun and runc >= 1.2.
  const bind = options.bind || m.type === 'bind';
  const flags = bind ? options.flags | MS_BIND : options.flags;

  let idmap: PlanIdmap | null = null;
  if (options.idmap !== null || m.uidMappings !== undefined || m.gidMappings !== undefined) {
    idmap = planIdmap(m, i, bind, options.idmap === 'ridmap', ctx);
    if (idmap === null) ok = false;
    else if (idmap.recursive && (flags & MS_REC) === 0) {
      ctx.warn(`config.json: ${at('options')}: "ridmap" on a non-recursive bind mount maps just that one mount (use "rbind" to take its submounts along)`);
    }
  }

  let source = m.source ?? '';
  let fstype = '';
  if (bind) {
    if (source === '') {
      problems.config(at('source'), 'required for a bind mount');
      ok = false;
    } else {
      source = bundlePath(ctx.bundle, source);
    }
  } else {
    fstype = m.type ?? '';
    if (fstype === '') {
      problems.config(at('type'), 'required unless the mount is a bind mount (options "bind" or "rbind")');
      ok = false;
    }
    if (fstype === 'none') {
      // "none" names no filesystem: it is the placeholder type of bind mounts.
      problems.config(at('type'), '"none" is only a placeholder for bind mounts; add "bind" or "rbind" to the options');
      ok = false;
    }
    const owner = NEEDS_OWN_NAMESPACE.get(fstype);
    if (owner !== undefined && ctx.namespaces.isNew('user') && !ctx.namespaces.has(owner)) {
      problems.config(
        at('type'),
        `${fstype} cannot be mounted from a new user namespace unless the container also has its own ${owner} namespace (add {"type": "${owner}"} or bind-mount it)`,
      );
      ok = false;
    }
  }

  if (destination === '/proc') {
    if (!bind && fstype !== '' && fstype !== 'proc') {
      problems.config(at('type'), `only a proc filesystem may be mounted on /proc, not "${fstype}"`);
      ok = false;
    }
  } else if (isWithin(destination, '/proc') && !PROC_MOUNT_ALLOWLIST.has(destination)) {
    problems.config(at('destination'), `"${destination}" is inside /proc, where only ${[...PROC_MOUNT_ALLOWLIST].join(', ')} may be mounted`);
    ok = false;
  }

  if (!ok) return null;
  return {
    destination,
    source,
    fstype,
    bind,
    flags,
    propagation: options.propagation,
    data: options.data,
    createAs: bind && ctx.sourceKind(source) === 'file' ? 'file' : 'dir',
    attrSet: options.attrSet,
    attrClr: options.attrClr,
    attrRecursive: options.attrRecursive,
    idmap,
  };
}

/**
 * An idmapped mount (config.md, options "idmap" and "ridmap"): only bind
 * mounts, with both of the mount's maps or neither; without them the
 * container's own user namespace supplies the mapping, and without one of
 * those either the spec requires an error. Mappings alone, without either
 * option, still make a (non-recursive) idmapped mount: the spec asks for
 * the option only so that runtimes that do not know the maps fail rather
 * than ignore them.
 */
function planIdmap(m: Mount, i: number, bind: boolean, recursive: boolean, ctx: MountContext): PlanIdmap | null {
  const at = (...rest: (string | number)[]) => pointer('mounts', i, ...rest);
  const { problems } = ctx;
  const before = problems.messages.length;
  if (!bind) {
    problems.config(at('options'), 'idmapped mounts ("idmap", "ridmap", uidMappings, gidMappings) need a bind mount ("bind" or "rbind")');
  }
  const uids = m.uidMappings;
  const gids = m.gidMappings;
  if ((uids === undefined) !== (gids === undefined)) {
    const [given, missing] = uids === undefined ? ['gidMappings', 'uidMappings'] : ['uidMappings', 'gidMappings'];
    problems.config(at(given), `must be given together with ${missing}`);
  }
  for (const [field, maps] of [['uidMappings', uids], ['gidMappings', gids]] as const) {
    if (maps === undefined) continue;
    if (maps.length === 0) problems.config(at(field), 'must not be empty (leave both out to use the container\'s user namespace)');
    checkMappings(['mounts', i, field], maps, problems);
  }
  if (uids === undefined && gids === undefined && !ctx.namespaces.has('user')) {
    problems.config(
      at('options'),
      'an idmapped mount without uidMappings and gidMappings takes the container\'s user namespace mappings, and the container has no user namespace',
    );
  }
  if (problems.messages.length !== before) return null;
  const copy = (maps: typeof uids) => (maps ?? []).map((x) => ({ containerID: x.containerID, hostID: x.hostID, size: x.size }));
  return { recursive, uidMappings: copy(uids), gidMappings: copy(gids) };
}

export interface PlannedMounts {
  mounts: PlanMount[];
  /** /dev is a bind mount (of the host's /dev, typically): no nodes or links are created in it. */
  devIsBind: boolean;
}

export function planMounts(mounts: Mount[] | undefined, ctx: MountContext): PlannedMounts {
  const out: PlanMount[] = [];
  (mounts ?? []).forEach((m, i) => {
    const planned = planMount(m, i, ctx);
    if (planned !== null) out.push(planned);
  });
  return { mounts: out, devIsBind: out.some((m) => m.destination === '/dev' && m.bind) };
}
