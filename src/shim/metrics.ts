// Stats' answer: the container's cgroup metrics as the Any containerd
// decodes by its type URL. A v1 or hybrid host (the memory, cpu, ...
// controllers in v1 hierarchies) gets io.containerd.cgroups.v1.Metrics, a
// unified host io.containerd.cgroups.v2.Metrics: the same choice
// containerd's own shim makes, and what `ctr task metrics` and the CRI
// plugin expect on each.
import { create, toBinary } from '@bufbuild/protobuf';
import { AnySchema, type Any } from '@bufbuild/protobuf/wkt';
import { NodeCgroupFs, type CgroupFs } from '../cgroups/fs.js';
import type { SavedCgroups } from '../cgroups/manager.js';
import { MetricsSchema as V1MetricsSchema } from './gen/containerd/cgroups-metrics_pb.js';
import { MetricsSchema as V2MetricsSchema } from './gen/containerd/cgroups-v2-metrics_pb.js';
import { metricsV1, sysDeviceName, type DeviceName } from './metrics-v1.js';
import { metricsV2 } from './metrics-v2.js';

/** Reads only: any absolute path without "..". */
const HOST_FS = new NodeCgroupFs('/');

export function containerMetrics(saved: SavedCgroups, fs: CgroupFs = HOST_FS, deviceName: DeviceName = sysDeviceName): Any {
  if (saved.version === 2) {
    const dir = saved.paths[''];
    const m = dir === undefined ? create(V2MetricsSchema) : metricsV2(fs, dir);
    return create(AnySchema, { typeUrl: V2MetricsSchema.typeName, value: toBinary(V2MetricsSchema, m) });
  }
  const p = saved.paths;
  const m = metricsV1(fs, { cpu: p.cpu, cpuacct: p.cpuacct, cpuset: p.cpuset, memory: p.memory, pids: p.pids, blkio: p.blkio, hugetlb: p.hugetlb }, deviceName);
  return create(AnySchema, { typeUrl: V1MetricsSchema.typeName, value: toBinary(V1MetricsSchema, m) });
}
