import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { advance, decodeFrames, encodeFrame, PROTOCOL } from '../../src/container/protocol.ts';

test('frames round-trip, split anywhere', () => {
  const a = encodeFrame({ type: 'created', pid: 42 });
  const b = encodeFrame({ type: 'error', step: 'mount', target: '/proc', errno: 1, message: 'm' });
  const all = Buffer.concat([a, b]);
  for (let cut = 0; cut <= all.length; cut++) {
    const first = decodeFrames(all.subarray(0, cut));
    const second = decodeFrames(Buffer.concat([first.rest, all.subarray(cut)]));
    assert.deepEqual([...first.messages, ...second.messages].map((m) => (m as { type: string }).type), ['created', 'error']);
  }
});

test('the message order is enforced', () => {
  assert.equal(advance('start', 'plan'), 'setup');
  assert.equal(advance('setup', 'created'), 'end');
  assert.equal(advance('setup', 'hooks'), 'hooks');
  assert.equal(advance('hooks', 'resume'), 'setup');
  assert.equal(advance('start', 'exec'), 'exec-setup');
  assert.throws(() => advance('start', 'created'), /unexpected message created in start/);
  assert.throws(() => advance('end', 'error'), /unexpected message error in end/);
});

test('the C++ table in addon/common/protocol.h has exactly the same rows', () => {
  const header = readFileSync('addon/common/protocol.h', 'utf8');
  const rows = [...header.matchAll(/\{"([\w-]+)", "(\w+)", "([\w-]+)", "([\w-]+)"\}/g)].map((m) => ({ phase: m[1], from: m[2], type: m[3], next: m[4] }));
  assert.deepEqual(rows, PROTOCOL.map((r) => ({ ...r })));
});
