// linux.sysctl: namespaced keys applied inside; a key that would change the
// host is refused before anything runs.
import { readFileSync } from 'node:fs';
import { eq, ok } from '../context.ts';
import type { Case } from '../case.ts';

export const sysctlCases: Case[] = [
  {
    name: 'sysctl/net',
    run: (t) => {
      const r = t.run('cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/tcp_syncookies', (s) => (s.linux.sysctl = { 'net.ipv4.ip_forward': '1', 'net.ipv4.tcp_syncookies': '0' }));
      eq(r.stdout.trim().split('\n'), ['1', '0'], 'ip_forward, tcp_syncookies');
    },
  },
  {
    name: 'sysctl/ipc',
    run: (t) => {
      const r = t.run('cat /proc/sys/kernel/msgmax /proc/sys/kernel/shmmni /proc/sys/fs/mqueue/msg_max', (s) => (s.linux.sysctl = { 'kernel.msgmax': '4096', 'kernel.shmmni': '1000', 'fs.mqueue.msg_max': '20' }));
      eq(r.stdout.trim().split('\n'), ['4096', '1000', '20'], 'msgmax, shmmni, mqueue msg_max');
    },
  },
  {
    name: 'sysctl/host-netns-refused',
    run: (t) => {
      // No network namespace: net.* would change the host. The value is the
      // host's own, so a runtime that applied it changes nothing.
      const host = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
      const r = t.run('echo ran', (s) => {
        s.linux.namespaces = s.linux.namespaces.filter((n: { type: string }) => n.type !== 'network');
        s.linux.sysctl = { 'net.ipv4.ip_forward': host };
      }, { allowFail: true });
      ok(r.status !== 0 && !r.stdout.includes('ran'), 'a net.* sysctl in the host network namespace was accepted');
    },
  },
];
