// hostname and domainname: set with sethostname(2)/setdomainname(2), which
// would change the host's names unless the container has its own UTS
// namespace (new, or joined: a pod's containers share one).
import type { Spec } from '../spec/types.js';
import { pointer, type Problems } from './errors.js';
import type { NamespaceSet } from './namespaces.js';

/** __NEW_UTS_LEN: the kernel refuses longer names with EINVAL. */
const UTS_NAME_MAX = 64;

function planName(field: 'hostname' | 'domainname', value: string | undefined, ns: NamespaceSet, problems: Problems): string | null {
  // An empty name is "leave it alone", as in runc.
  if (value === undefined || value === '') return null;
  if (!ns.has('uts')) {
    problems.config(pointer(field), `setting the ${field} needs a UTS namespace (add {"type": "uts"})`);
  }
  if (Buffer.byteLength(value, 'utf8') > UTS_NAME_MAX) {
    problems.config(pointer(field), `"${value}" is longer than ${UTS_NAME_MAX} bytes`);
  }
  if (value.includes('\0')) problems.config(pointer(field), 'must not contain NUL');
  return value;
}

export function planUts(spec: Spec, ns: NamespaceSet, problems: Problems): { hostname: string | null; domainname: string | null } {
  return {
    hostname: planName('hostname', spec.hostname, ns, problems),
    domainname: planName('domainname', spec.domainname, ns, problems),
  };
}
