import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MS, mountCalls } from '../../src/shim/mount-options.ts';

test('overlay: the snapshotter options are the data, flags stay 0', () => {
  assert.deepEqual(mountCalls('overlay', 'overlay', ['index=off', 'workdir=/w', 'upperdir=/u', 'lowerdir=/l1:/l2']), [
    { source: 'overlay', fstype: 'overlay', flags: 0, data: 'index=off,workdir=/w,upperdir=/u,lowerdir=/l1:/l2' },
  ]);
});

test('flag words set and clear bits, in order; unknown words are data', () => {
  assert.deepEqual(mountCalls('tmpfs', 'tmpfs', ['ro', 'nosuid', 'rw', 'noexec', 'size=1m']), [
    { source: 'tmpfs', fstype: 'tmpfs', flags: MS.NOSUID | MS.NOEXEC, data: 'size=1m' },
  ]);
});

test('a read-only rbind is a bind, then a remount with the flags, then the propagation', () => {
  assert.deepEqual(mountCalls('bind', '/snap/1/fs', ['rbind', 'ro', 'rprivate']), [
    { source: '/snap/1/fs', fstype: '', flags: MS.BIND | MS.REC, data: '' },
    { source: '', fstype: '', flags: MS.REMOUNT | MS.BIND | MS.RDONLY, data: '' },
    { source: '', fstype: '', flags: MS.PRIVATE | MS.REC, data: '' },
  ]);
  // rw alone needs no remount
  assert.deepEqual(mountCalls('bind', '/snap/1/fs', ['rbind', 'rw']), [{ source: '/snap/1/fs', fstype: '', flags: MS.BIND | MS.REC, data: '' }]);
  // type "none" with a bind option is a bind too
  assert.equal(mountCalls('none', '/x', ['bind'])[0]!.flags, MS.BIND);
});
