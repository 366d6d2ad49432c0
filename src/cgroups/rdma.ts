// linux.resources.rdma -> rdma.max (v1 and v2 alike), one write per device:
// "DEVICE hca_handle=N hca_object=N" with the keys given.
import type { LinuxRdma } from '../spec/types.js';
import { write, type ResourceCtx } from './ctx.js';

export function rdmaLines(rdma: Record<string, LinuxRdma>): string[] {
  const lines: string[] = [];
  for (const [device, r] of Object.entries(rdma)) {
    const parts = [device];
    if (r.hcaHandles !== undefined) parts.push(`hca_handle=${r.hcaHandles}`);
    if (r.hcaObjects !== undefined) parts.push(`hca_object=${r.hcaObjects}`);
    if (parts.length > 1) lines.push(parts.join(' '));
  }
  return lines;
}

export function setRdma(ctx: ResourceCtx, dir: string, rdma: Record<string, LinuxRdma>): void {
  for (const line of rdmaLines(rdma)) write(ctx, dir, 'rdma.max', line);
}
