// Confinement: capabilities, masked and read-only paths, a read-only root,
// seccomp, and the process settings (scheduler, I/O priority, personality,
// CPU affinity).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq, kv, ok, skip, type Ctx } from '../context.ts';
import type { Case } from '../case.ts';
import { CAPS, capMask, kernelCapMask, mountAt, parseMountinfo } from '../linux.ts';
import type { Json } from '../bundle.ts';

function caps(t: Ctx, edit: (s: Json) => void): Map<string, string> {
  return kv(t.run('grep ^Cap /proc/self/status', edit).stdout, ':');
}

const SECCOMP_MKDIR = (action: string, extra: Json = {}): Json => ({
  defaultAction: 'SCMP_ACT_ALLOW',
  architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  syscalls: [{ names: ['mkdir', 'mkdirat'], action, ...extra }],
});

export const securityCases: Case[] = [
  {
    name: 'capabilities/default-root',
    run: (t) => {
      const c = caps(t, () => {});
      const m = capMask(['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE']);
      // uid 0's execve treats the file as fully capable: permitted = effective
      // = bounding (| inheritable); the kernel keeps only ambient capabilities
      // that are also inheritable, and none are here.
      eq([c.get('CapInh'), c.get('CapPrm'), c.get('CapEff'), c.get('CapBnd'), c.get('CapAmb')], ['0000000000000000', m, m, m, '0000000000000000'], 'CapInh/Prm/Eff/Bnd/Amb');
    },
  },
  {
    name: 'capabilities/non-root-distinct-sets',
    run: (t) => {
      const bnd = ['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_RAW', 'CAP_SETUID', 'CAP_SYS_CHROOT'];
      const inh = ['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_RAW'];
      const amb = ['CAP_KILL'];
      const c = caps(t, (s) => {
        s.process.user = { uid: 1000, gid: 1000 };
        s.process.capabilities = { bounding: bnd, inheritable: inh, permitted: ['CAP_CHOWN', 'CAP_KILL'], effective: ['CAP_KILL'], ambient: amb };
      });
      // execve by a non-root user of a file without file capabilities: permitted = effective = ambient.
      eq(
        [c.get('CapInh'), c.get('CapPrm'), c.get('CapEff'), c.get('CapBnd'), c.get('CapAmb')],
        [capMask(inh), capMask(amb), capMask(amb), capMask(bnd), capMask(amb)],
        'CapInh/Prm/Eff/Bnd/Amb',
      );
    },
  },
  {
    name: 'capabilities/none',
    run: (t) => {
      const c = caps(t, (s) => (s.process.capabilities = {}));
      const z = '0000000000000000';
      eq([c.get('CapInh'), c.get('CapPrm'), c.get('CapEff'), c.get('CapBnd'), c.get('CapAmb')], [z, z, z, z, z], 'all sets empty');
    },
  },
  {
    name: 'capabilities/all-of-callers',
    run: (t) => {
      // Every capability the kernel knows that the caller holds (a runtime cannot grant more).
      const bnd = BigInt(`0x${/CapBnd:\s+([0-9a-f]+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0'}`);
      const all = CAPS.filter((_, i) => ((kernelCapMask() & bnd) >> BigInt(i)) & 1n);
      const c = caps(t, (s) => (s.process.capabilities = { bounding: all, effective: all, permitted: all, inheritable: all, ambient: all }));
      const m = capMask(all);
      eq([c.get('CapInh'), c.get('CapPrm'), c.get('CapEff'), c.get('CapBnd'), c.get('CapAmb')], [m, m, m, m, m], 'all sets full');
    },
  },
  {
    name: 'capabilities/enforced',
    run: (t) => {
      // Without CAP_CHOWN root cannot give a file away; with it, it can.
      const r = t.run('touch /tmp/f && chown 1000 /tmp/f; echo rc=$?', (s) => (s.root.readonly = false));
      eq(r.stdout.trim().split('\n').pop(), 'rc=1', 'chown without CAP_CHOWN');
    },
  },
  {
    name: 'masked-paths/file',
    run: (t) => {
      // A default masked file this kernel has (/proc/kcore is not everywhere).
      const f = ['/proc/kcore', '/proc/timer_list', '/proc/keys', '/proc/sched_debug'].find((p) => existsSync(p));
      if (!f) skip('none of the default masked files exists on this kernel');
      const r = t.run(`wc -c < ${f}; grep -c " ${f} " /proc/self/mountinfo`);
      eq(r.stdout.trim().split(/\s+/), ['0', '1'], `${f} bytes and mounts over it`);
    },
  },
  {
    name: 'masked-paths/directory',
    run: (t) => {
      const r = t.run('ls -A /sys/firmware | wc -l; touch /sys/firmware/x 2>/dev/null; echo touch=$?');
      eq(r.stdout.trim().split(/\s+/), ['0', 'touch=1'], 'entries in /sys/firmware, writing there');
    },
  },
  {
    name: 'masked-paths/custom',
    run: (t) => {
      const r = t.run('wc -c < /etc/group', (s) => s.linux.maskedPaths.push('/etc/group'));
      eq(r.stdout.trim(), '0', 'bytes readable from a masked /etc/group');
    },
  },
  {
    name: 'masked-paths/missing-ignored',
    run: (t) => eq(t.run('echo ok', (s) => s.linux.maskedPaths.push('/no/such/path')).stdout.trim(), 'ok', 'a missing masked path'),
  },
  {
    name: 'readonly-paths/proc-sys',
    run: (t) => {
      const r = t.run('cat /proc/self/mountinfo; echo x > /proc/sys/kernel/domainname 2>/dev/null; echo write=$?');
      const m = mountAt(parseMountinfo(r.stdout), '/proc/sys');
      ok(m?.opts.includes('ro'), `/proc/sys mount options: ${m?.opts.join(',') ?? 'no mount'}`);
      ok(r.stdout.includes('write=1'), 'writing /proc/sys/kernel/domainname succeeded');
    },
  },
  {
    name: 'readonly-paths/custom',
    run: (t) => {
      const r = t.run('touch /tmp/x 2>/dev/null; echo touch=$?; touch /etc/x; echo etc=$?', (s) => {
        s.root.readonly = false;
        s.linux.readonlyPaths.push('/tmp');
      });
      eq(r.stdout.trim().split('\n'), ['touch=1', 'etc=0'], 'writing the read-only /tmp, then /etc');
    },
  },
  {
    name: 'readonly-paths/missing-ignored',
    run: (t) => eq(t.run('echo ok', (s) => s.linux.readonlyPaths.push('/no/such/path')).stdout.trim(), 'ok', 'a missing read-only path'),
  },
  {
    name: 'root/readonly',
    run: (t) => {
      const r = t.run('cat /proc/self/mountinfo; touch /x 2>/dev/null; echo touch=$?', (s) => (s.root.readonly = true));
      ok(mountAt(parseMountinfo(r.stdout), '/')?.opts.includes('ro'), 'the root mount is not ro');
      ok(r.stdout.includes('touch=1'), 'creating /x on a read-only root succeeded');
    },
  },
  {
    name: 'root/writable',
    run: (t) => {
      const r = t.run('cat /proc/self/mountinfo; touch /x; echo touch=$?', (s) => (s.root.readonly = false));
      ok(mountAt(parseMountinfo(r.stdout), '/')?.opts.includes('rw'), 'the root mount is not rw');
      ok(r.stdout.includes('touch=0'), 'creating /x on a writable root failed');
    },
  },
  {
    name: 'seccomp/errno',
    run: (t) => {
      const r = t.run('grep ^Seccomp: /proc/self/status; mkdir /tmp/d; echo rc=$?', (s) => {
        s.root.readonly = false;
        s.linux.seccomp = SECCOMP_MKDIR('SCMP_ACT_ERRNO');
      }, { allowFail: true });
      ok(/Seccomp:\s+2/.test(r.stdout), `Seccomp mode: ${r.stdout.split('\n')[0]} ${r.stderr.trim()}`);
      ok(r.stdout.includes('rc=1') && r.stderr.includes('Operation not permitted'), `mkdir: ${r.stdout} ${r.stderr}`);
    },
  },
  {
    name: 'seccomp/errno-ret',
    run: (t) => {
      const r = t.run('mkdir /tmp/d; echo rc=$?', (s) => {
        s.root.readonly = false;
        s.linux.seccomp = SECCOMP_MKDIR('SCMP_ACT_ERRNO', { errnoRet: 13 });
      }, { allowFail: true });
      ok(r.stdout.includes('rc=1') && r.stderr.includes('Permission denied'), `mkdir: ${r.stdout} ${r.stderr}`);
    },
  },
  {
    name: 'seccomp/kill',
    run: (t) => {
      const r = t.run('mkdir /tmp/d; echo rc=$?', (s) => {
        s.root.readonly = false;
        s.linux.seccomp = SECCOMP_MKDIR('SCMP_ACT_KILL');
      }, { allowFail: true });
      eq(r.stdout.trim(), 'rc=159', 'exit status of mkdir killed by SIGSYS (128+31)');
    },
  },
  {
    name: 'seccomp/log-allows',
    run: (t) => {
      const r = t.run('mkdir /tmp/d; echo rc=$?', (s) => {
        s.root.readonly = false;
        s.linux.seccomp = SECCOMP_MKDIR('SCMP_ACT_LOG');
      }, { allowFail: true });
      eq(r.stdout.trim(), 'rc=0', 'mkdir under SCMP_ACT_LOG');
    },
  },
  {
    name: 'seccomp/non-root-without-nnp',
    run: (t) => {
      const r = t.run('mkdir /tmp/d; echo rc=$?', (s) => {
        s.root.readonly = false;
        s.process.user = { uid: 1000, gid: 1000 };
        s.process.noNewPrivileges = false;
        s.linux.seccomp = SECCOMP_MKDIR('SCMP_ACT_ERRNO');
      }, { allowFail: true });
      ok(r.stdout.includes('rc=1') && r.stderr.includes('Operation not permitted'), `mkdir: ${r.stdout} ${r.stderr}`);
    },
  },
  {
    name: 'seccomp/arg-filter',
    run: (t) => {
      // personality(0xffffffff) queries; personality(PER_LINUX32=8) is refused.
      const r = t.run('setarch linux32 true; echo rc32=$?; uname -m', (s) => {
        s.linux.seccomp = {
          defaultAction: 'SCMP_ACT_ALLOW',
          syscalls: [{ names: ['personality'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] }],
        };
      }, { allowFail: true });
      ok(!r.stdout.includes('rc32=0') && r.stdout.includes('x86_64'), `output: ${r.stdout} ${r.stderr.slice(0, 200)}`);
    },
  },
  {
    name: 'process/scheduler',
    run: (t) => {
      // /proc/self/stat field 41 is the policy; SCHED_BATCH is 3.
      const r = t.run("awk '{print $41}' /proc/self/stat", (s) => (s.process.scheduler = { policy: 'SCHED_BATCH', nice: 0 }));
      eq(r.stdout.trim(), '3', 'scheduling policy');
    },
  },
  {
    name: 'process/io-priority',
    run: (t) => {
      const r = t.run('ionice -p $$', (s) => (s.process.ioPriority = { class: 'IOPRIO_CLASS_BE', priority: 3 }));
      ok(/best-effort.*3/.test(r.stdout), `ionice: ${r.stdout.trim()}`);
    },
  },
  {
    name: 'linux/personality',
    run: (t) => {
      const r = t.run('uname -m', (s) => (s.linux.personality = { domain: 'LINUX32' }));
      ok(/^i[3-6]86$/.test(r.stdout.trim()), `uname -m: ${r.stdout.trim()}`);
    },
  },
  {
    name: 'process/exec-cpu-affinity',
    // config.md: "not applicable to the container's init process"; an exec
    // (here from a process.json that asks for it) ends up on `final`.
    run: (t) => {
      const c = t.create('sleep 1000');
      t.must(['start', c.id]);
      const p = join(t.tmp('process'), 'process.json');
      writeFileSync(p, JSON.stringify({ ...c.spec.process, args: ['grep', 'Cpus_allowed_list', '/proc/self/status'], execCPUAffinity: { initial: '0', final: '0' } }));
      const r = t.must(['exec', '--process', p, c.id]);
      ok(/:\s+0$/.test(r.stdout.trim()), `Cpus_allowed_list: ${r.stdout.trim()}`);
    },
  },
];
