// namespaces: each new one differs from the caller's, one left out is the
// caller's, one given by path is joined (the path of another container's
// init, as a pod's sandbox is shared), user namespaces with their id maps,
// and time namespace offsets.
import { readFileSync } from 'node:fs';
import { eq, ok, type Ctx } from '../context.ts';
import type { Case } from '../case.ts';
import { nsOf } from '../linux.ts';
import type { Json } from '../bundle.ts';

const NS_FILE: Record<string, string> = { pid: 'pid', network: 'net', ipc: 'ipc', uts: 'uts', mount: 'mnt', cgroup: 'cgroup', user: 'user', time: 'time' };
const USER_MAPS = (s: Json): void => {
  s.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  s.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
};

function inside(t: Ctx, type: string, edit: (s: Json) => void): string {
  return t.run(`readlink /proc/self/ns/${NS_FILE[type]}`, edit).stdout.trim();
}

const newNs = (type: string): Case => ({
  name: `namespaces/new-${type}`,
  run: (t) => {
    const got = inside(t, type, (s) => {
      if (!s.linux.namespaces.some((n: Json) => n.type === type)) s.linux.namespaces.push({ type });
      if (type === 'user') USER_MAPS(s);
    });
    ok(got.startsWith(`${NS_FILE[type]}:[`) && got !== nsOf('self', NS_FILE[type]!), `${type} namespace inside: ${got}, the caller's: ${nsOf('self', NS_FILE[type]!)}`);
  },
});

const hostNs = (type: string): Case => ({
  name: `namespaces/host-${type}`,
  run: (t) => {
    const got = inside(t, type, (s) => {
      s.linux.namespaces = s.linux.namespaces.filter((n: Json) => n.type !== type);
      // Setting a hostname needs a UTS namespace of the container's own.
      if (type === 'uts') delete s.hostname;
    });
    eq(got, nsOf('self', NS_FILE[type]!), `${type} namespace without an entry for it`);
  },
});

const joinNs = (type: string): Case => ({
  name: `namespaces/join-${type}-by-path`,
  run: (t) => {
    const holder = t.create('sleep 1000', (s) => {
      if (!s.linux.namespaces.some((n: Json) => n.type === type)) s.linux.namespaces.push({ type });
      if (type === 'user') USER_MAPS(s);
    });
    const pid = t.state(holder.id).pid as number;
    const path = `/proc/${pid}/ns/${NS_FILE[type]}`;
    const got = inside(t, type, (s) => {
      s.linux.namespaces = s.linux.namespaces.filter((n: Json) => n.type !== type);
      s.linux.namespaces.push({ type, path });
      if (type === 'user') USER_MAPS(s);
    });
    eq(got, nsOf(pid, NS_FILE[type]!), `${type} namespace joined through ${path}`);
  },
});

export const namespaceCases: Case[] = [
  ...['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup', 'user'].map(newNs),
  ...['network', 'ipc', 'uts', 'cgroup'].map(hostNs),
  ...['pid', 'network', 'ipc', 'uts', 'cgroup', 'user'].map(joinNs),
  {
    name: 'namespaces/user-id-maps',
    run: (t) => {
      const r = t.run('cat /proc/self/uid_map /proc/self/gid_map; id -u; stat -c %u:%g /proc/1', (s) => {
        s.linux.namespaces.push({ type: 'user' });
        s.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 1000 }, { containerID: 1000, hostID: 200000, size: 10 }];
        s.linux.gidMappings = [{ containerID: 0, hostID: 300000, size: 65536 }];
      });
      const lines = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '));
      eq(lines, ['0 100000 1000', '1000 200000 10', '0 300000 65536', '0', '0:0'], 'uid_map, gid_map, id -u, owner of /proc/1');
    },
  },
  {
    name: 'namespaces/user-host-view',
    run: (t) => {
      const c = t.create('sleep 1000', (s) => {
        s.linux.namespaces.push({ type: 'user' });
        USER_MAPS(s);
      });
      const pid = t.state(c.id).pid as number;
      const st = readFileSync(`/proc/${pid}/status`, 'utf8');
      ok(/Uid:\s+100000\s/.test(st), `host view of the init's uid: ${st.match(/Uid:.*/)?.[0]}`);
    },
  },
  {
    name: 'namespaces/cgroup-root',
    run: (t) => {
      const r = t.run('grep -E "^[0-9]+:(memory|pids):" /proc/self/cgroup', (s) => s.linux.namespaces.push({ type: 'cgroup' }));
      eq(r.stdout.trim().split('\n').map((l) => l.split(':').slice(1).join(':')).sort(), ['memory:/', 'pids:/'], 'cgroup paths inside a cgroup namespace');
    },
  },
  {
    name: 'namespaces/time-offsets',
    run: (t) => {
      const r = t.run('cat /proc/self/timens_offsets', (s) => {
        s.linux.namespaces.push({ type: 'time' });
        s.linux.timeOffsets = { monotonic: { secs: 86400, nanosecs: 0 }, boottime: { secs: 3600, nanosecs: 5 } };
      });
      const lines = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '));
      eq(lines.sort(), ['boottime 3600 5', 'monotonic 86400 0'], 'timens_offsets');
    },
  },
];

