import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MS_BIND, MS_NOEXEC, MS_NOSUID, MS_PRIVATE, MS_RDONLY, MS_REC, MS_REMOUNT } from '../../src/plan/linux-constants.ts';
import { mountCalls } from '../../src/shim/mount-options.ts';

test('overlay: the snapshotter options are the data, flags stay 0', () => {
  assert.deepEqual(mountCalls('overlay', 'overlay', ['index=off', 'workdir=/w', 'upperdir=/u', 'lowerdir=/l1:/l2']), [
    { source: 'overlay', fstype: 'overlay', flags: 0, data: 'index=off,workdir=/w,upperdir=/u,lowerdir=/l1:/l2' },
  ]);
});

test('flag words set and clear bits, in order; unknown words are data', () => {
  assert.deepEqual(mountCalls('tmpfs', 'tmpfs', ['ro', 'nosuid', 'rw', 'noexec', 'size=1m']), [
    { source: 'tmpfs', fstype: 'tmpfs', flags: MS_NOSUID | MS_NOEXEC, data: 'size=1m' },
  ]);
});

test('a read-only rbind is a bind, then a remount with the flags, then the propagation', () => {
  assert.deepEqual(mountCalls('bind', '/snap/1/fs', ['rbind', 'ro', 'rprivate']), [
    { source: '/snap/1/fs', fstype: '', flags: MS_BIND | MS_REC, data: '' },
    { source: '', fstype: '', flags: MS_REMOUNT | MS_BIND | MS_RDONLY, data: '' },
    { source: '', fstype: '', flags: MS_PRIVATE | MS_REC, data: '' },
  ]);
  // rw alone needs no remount
  assert.deepEqual(mountCalls('bind', '/snap/1/fs', ['rbind', 'rw']), [{ source: '/snap/1/fs', fstype: '', flags: MS_BIND | MS_REC, data: '' }]);
  // type "none" with a bind option is a bind too
  assert.equal(mountCalls('none', '/x', ['bind'])[0]!.flags, MS_BIND);
});

test('options a rootfs mount cannot apply are refused by name', () => {
  assert.throws(() => mountCalls('bind', '/x', ['rbind', 'rro']), /recursive and idmap options apply to a container's mounts, not to its rootfs/);
  assert.throws(() => mountCalls('tmpfs', 'tmpfs', ['tmpcopyup']), /mount option "tmpcopyup" is not supported yet by runts/);
});
