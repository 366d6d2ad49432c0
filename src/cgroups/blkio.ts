// linux.resources.blockIO.
//
// v1 (blkio controller), one write per entry:
//   weight            blkio.weight, or blkio.bfq.weight when the kernel has
//                     only BFQ's (CFQ is gone since 5.0; runc 1.1.5 does the
//                     same, seen on this host)
//   leafWeight        blkio.leaf_weight (CFQ only: warning when absent)
//   weightDevice      "MAJ:MIN WEIGHT" to blkio.weight_device (or
//                     blkio.bfq.weight_device), "MAJ:MIN LEAF" to
//                     blkio.leaf_weight_device
//   throttle*Device   "MAJ:MIN RATE" to blkio.throttle.{read,write}_{bps,iops}_device
// v2 (io controller):
//   weight            io.bfq.weight as is (BFQ uses blkio's 1..1000 scale)
//                     when it exists, else io.weight converted to 1..10000
//   weightDevice      "MAJ:MIN W" likewise
//   leafWeight        - (warning)
//   throttle*Device   io.max, one line per device:
//                     "MAJ:MIN rbps=N wbps=N riops=N wiops=N" with the keys
//                     given; a rate of 0 (v1's "no limit") is "max"
// 0 weights mean "not set".
import type { LinuxBlockIO, LinuxThrottleDevice } from '../spec/types.js';
import { blkioWeightToIoWeight } from './convert.js';
import { has, missing, setNonZero, write, type ResourceCtx } from './ctx.js';

const dev = (d: { major: number; minor: number }) => `${d.major}:${d.minor}`;

export function setBlkioV1(ctx: ResourceCtx, dir: string, b: LinuxBlockIO): void {
  const weightFile = has(ctx, dir, 'blkio.weight') ? 'blkio.weight' : 'blkio.bfq.weight';
  const weightDeviceFile = has(ctx, dir, 'blkio.weight_device') ? 'blkio.weight_device' : 'blkio.bfq.weight_device';
  if (setNonZero(b.weight)) {
    if (!has(ctx, dir, weightFile)) throw missing(dir, 'blkio.weight', 'blockIO.weight (no blkio.weight nor blkio.bfq.weight)');
    write(ctx, dir, weightFile, b.weight);
  }
  if (setNonZero(b.leafWeight)) {
    if (has(ctx, dir, 'blkio.leaf_weight')) write(ctx, dir, 'blkio.leaf_weight', b.leafWeight);
    else ctx.warn('blockIO.leafWeight not applied: this kernel has no blkio.leaf_weight (CFQ only)');
  }
  for (const d of b.weightDevice ?? []) {
    if (setNonZero(d.weight)) {
      if (!has(ctx, dir, weightDeviceFile)) throw missing(dir, 'blkio.weight_device', 'blockIO.weightDevice');
      write(ctx, dir, weightDeviceFile, `${dev(d)} ${d.weight}`);
    }
    if (setNonZero(d.leafWeight)) {
      if (has(ctx, dir, 'blkio.leaf_weight_device')) write(ctx, dir, 'blkio.leaf_weight_device', `${dev(d)} ${d.leafWeight}`);
      else ctx.warn('blockIO.weightDevice[].leafWeight not applied: this kernel has no blkio.leaf_weight_device (CFQ only)');
    }
  }
  const throttles: [LinuxThrottleDevice[] | undefined, string][] = [
    [b.throttleReadBpsDevice, 'blkio.throttle.read_bps_device'],
    [b.throttleWriteBpsDevice, 'blkio.throttle.write_bps_device'],
    [b.throttleReadIOPSDevice, 'blkio.throttle.read_iops_device'],
    [b.throttleWriteIOPSDevice, 'blkio.throttle.write_iops_device'],
  ];
  for (const [list, file] of throttles) for (const d of list ?? []) write(ctx, dir, file, `${dev(d)} ${d.rate ?? 0}`);
}

/** io.max lines: one per device, keys in rbps wbps riops wiops order, devices in first-seen order. */
export function ioMaxLines(b: LinuxBlockIO): string[] {
  const byDev = new Map<string, Map<string, string>>();
  const add = (list: LinuxThrottleDevice[] | undefined, key: string) => {
    for (const d of list ?? []) {
      const k = dev(d);
      if (!byDev.has(k)) byDev.set(k, new Map());
      byDev.get(k)!.set(key, d.rate ? String(d.rate) : 'max');
    }
  };
  add(b.throttleReadBpsDevice, 'rbps');
  add(b.throttleWriteBpsDevice, 'wbps');
  add(b.throttleReadIOPSDevice, 'riops');
  add(b.throttleWriteIOPSDevice, 'wiops');
  const order = ['rbps', 'wbps', 'riops', 'wiops'];
  return [...byDev].map(([k, kv]) => [k, ...order.filter((o) => kv.has(o)).map((o) => `${o}=${kv.get(o)}`)].join(' '));
}

export function setIoV2(ctx: ResourceCtx, dir: string, b: LinuxBlockIO): void {
  const bfq = has(ctx, dir, 'io.bfq.weight');
  if (setNonZero(b.weight)) {
    if (bfq) write(ctx, dir, 'io.bfq.weight', b.weight);
    else write(ctx, dir, 'io.weight', blkioWeightToIoWeight(b.weight));
  }
  if (setNonZero(b.leafWeight)) ctx.warn('blockIO.leafWeight not applied: cgroup v2 has no leaf weight');
  for (const d of b.weightDevice ?? []) {
    if (setNonZero(d.weight)) {
      if (bfq) write(ctx, dir, 'io.bfq.weight', `${dev(d)} ${d.weight}`);
      else write(ctx, dir, 'io.weight', `${dev(d)} ${blkioWeightToIoWeight(d.weight)}`);
    }
    if (setNonZero(d.leafWeight)) ctx.warn('blockIO.weightDevice[].leafWeight not applied: cgroup v2 has no leaf weight');
  }
  for (const line of ioMaxLines(b)) write(ctx, dir, 'io.max', line);
}
