// linux.resources.network: v1 only (net_cls, net_prio controllers).
//   classID     net_cls.classid (decimal)
//   priorities  net_prio.ifpriomap, one "IFNAME PRIO" write per entry
// cgroup v2 has neither (traffic is classified with eBPF there): warnings.
import type { LinuxNetwork } from '../spec/types.js';
import { write, type ResourceCtx } from './ctx.js';

export function setNetV1(ctx: ResourceCtx, clsDir: string | undefined, prioDir: string | undefined, n: LinuxNetwork): void {
  if (n.classID !== undefined) {
    if (clsDir) write(ctx, clsDir, 'net_cls.classid', n.classID);
    else ctx.warn('network.classID not applied: the net_cls controller is not mounted');
  }
  if (n.priorities && n.priorities.length > 0) {
    if (prioDir) for (const p of n.priorities) write(ctx, prioDir, 'net_prio.ifpriomap', `${p.name} ${p.priority}`);
    else ctx.warn('network.priorities not applied: the net_prio controller is not mounted');
  }
}

export function warnNetV2(ctx: ResourceCtx, n: LinuxNetwork): void {
  if (n.classID !== undefined) ctx.warn('network.classID not applied: cgroup v2 has no net_cls');
  if (n.priorities && n.priorities.length > 0) ctx.warn('network.priorities not applied: cgroup v2 has no net_prio');
}
