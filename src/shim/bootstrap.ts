// What `start` prints. containerd 1.6 takes the whole output as the
// address; 1.7 and 2.0-2.2 also accept a JSON BootstrapParams
// {"version":N,"address":...,"protocol":"ttrpc"} (1.7 only up to version 2,
// 2.x up to 3: version 3 is what makes 2.x speak task API v3 to the shim,
// and 1.7 refuses it). None of these callers says which it is: each sets
// MAX_SHIM_VERSION=2 (the shim major version) whatever it parses. Only
// containerd 2.3 and later announce themselves, by writing a protobuf
// BootstrapParams on stdin, whose instance_id and namespace are this
// shim's -id and -namespace (checked: 2.0-2.2 write the runtime options,
// a protobuf Any, whose fields could also decode as strings there).
// So the JSON version-3 form goes out only
//  - to such a caller, or where RUNTS_SHIM_BOOTSTRAP=json says so (set it
//    in the environment of a containerd 2.0-2.2), and
//  - only while the server registers the task v3 service names;
// and the plain address everywhere else (RUNTS_SHIM_BOOTSTRAP=plain forces
// it), which every containerd from 1.6 on accepts, as task API v2.
// (Where `start` hands out an address a server of an older runts already
// serves, that server decides which API is spoken; the installed binary is
// assumed to match it.)
import { decodeLengthDelimited } from './wire.js';

export const BOOTSTRAP_ENV = 'RUNTS_SHIM_BOOTSTRAP';

export type BootstrapForm = 'plain' | 'json';

export interface BootstrapCaller {
  /** What containerd wrote on the start action's stdin (empty for none). */
  stdin: Uint8Array;
  id: string;
  namespace: string;
  /** RUNTS_SHIM_BOOTSTRAP. */
  setting: string | undefined;
  /** Whether the server answers containerd.task.v3.Task. */
  taskV3: boolean;
}

interface CallerParams {
  instanceId: string;
  namespace: string;
}

/** instance_id (1) and namespace (2) of a BootstrapParams on stdin, in protobuf or JSON; null if it is none. */
export function decodeBootstrapParams(stdin: Uint8Array): CallerParams | null {
  if (stdin.length === 0) return null;
  const text = Buffer.from(stdin.buffer, stdin.byteOffset, stdin.byteLength).toString('utf8').trim();
  if (text.startsWith('{')) {
    try {
      const j = JSON.parse(text) as Record<string, unknown>;
      const instanceId = j.instance_id ?? j.instanceId;
      const namespace = j.namespace;
      return typeof instanceId === 'string' && typeof namespace === 'string' ? { instanceId, namespace } : null;
    } catch {
      return null;
    }
  }
  const fields = decodeLengthDelimited(stdin);
  const id = fields?.get(1);
  const ns = fields?.get(2);
  if (!id || !ns) return null;
  const dec = new TextDecoder('utf-8', { fatal: true });
  try {
    return { instanceId: dec.decode(id), namespace: dec.decode(ns) };
  } catch {
    return null;
  }
}

export function bootstrapForm(c: BootstrapCaller): BootstrapForm {
  if (c.setting !== undefined && c.setting !== '' && c.setting !== 'json' && c.setting !== 'plain') {
    throw new Error(`${BOOTSTRAP_ENV}=${c.setting}: expected json or plain`);
  }
  if (!c.taskV3 || c.setting === 'plain') return 'plain';
  if (c.setting === 'json') return 'json';
  const p = decodeBootstrapParams(c.stdin);
  return p !== null && p.instanceId === c.id && p.namespace === c.namespace ? 'json' : 'plain';
}

/** The bytes `start` prints for `address` (unix://...). */
export function bootstrapOutput(address: string, form: BootstrapForm): string {
  return form === 'json' ? JSON.stringify({ version: 3, address, protocol: 'ttrpc' }) : address;
}
