// The shim's pure parts: ttrpc framing, its command line, its socket address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { encodeFrame, FrameReader, HEADER_LENGTH, MAX_MESSAGE_LENGTH } from '../../src/shim/ttrpc-frame.ts';
import { RequestSchema } from '../../src/shim/gen/ttrpc/ttrpc_pb.ts';
import { parseShimArgs } from '../../src/shim/args.ts';
import { socketPath } from '../../src/shim/address.ts';

test('a frame is a 10-byte big-endian header and the payload', () => {
  const f = encodeFrame({ streamId: 3, type: 1, flags: 0, payload: Buffer.from('abc') });
  assert.equal(f.length, HEADER_LENGTH + 3);
  assert.deepEqual([...f.subarray(0, 10)], [0, 0, 0, 3, 0, 0, 0, 3, 1, 0]);
  assert.equal(f.subarray(10).toString(), 'abc');
});

test('FrameReader reassembles frames split and joined arbitrarily', () => {
  const req = toBinary(RequestSchema, create(RequestSchema, { service: 'containerd.task.v2.Task', method: 'State', payload: new Uint8Array([10, 1, 120]) }));
  const bytes = Buffer.concat([encodeFrame({ streamId: 1, type: 1, flags: 0, payload: req }), encodeFrame({ streamId: 3, type: 2, flags: 0, payload: new Uint8Array() })]);
  const r = new FrameReader();
  const frames = [];
  for (let i = 0; i < bytes.length; i += 7) frames.push(...r.push(bytes.subarray(i, i + 7)));
  assert.equal(frames.length, 2);
  assert.equal(frames[0]!.streamId, 1);
  assert.equal(fromBinary(RequestSchema, frames[0]!.payload).method, 'State');
  assert.equal(frames[1]!.type, 2);
  assert.equal(frames[1]!.payload.length, 0);
});

test('FrameReader refuses a frame over the size limit', () => {
  const h = Buffer.alloc(10);
  h.writeUInt32BE(MAX_MESSAGE_LENGTH + 1, 0);
  assert.throws(() => new FrameReader().push(h), /exceeds/);
});

test('the command line as containerd 1.6 writes it', () => {
  const a = parseShimArgs(['-namespace', 'ns', '-address', '/run/c.sock', '-publish-binary', '/usr/bin/containerd', '-id', 'x1', '-debug', 'start']);
  assert.deepEqual(
    { ns: a.namespace, addr: a.address, pub: a.publishBinary, id: a.id, debug: a.debug, action: a.action },
    { ns: 'ns', addr: '/run/c.sock', pub: '/usr/bin/containerd', id: 'x1', debug: true, action: 'start' },
  );
  assert.equal(parseShimArgs(['-v']).version, true);
  assert.equal(parseShimArgs(['--id=y', '-bundle', '/b', 'delete']).bundle, '/b');
});

test('the socket is named by containerd address, namespace and id', () => {
  const p = socketPath('/run/c.sock', 'ns', 'x1');
  assert.match(p, /^\/run\/containerd\/s\/[0-9a-f]{64}$/);
  assert.notEqual(p, socketPath('/run/c.sock', 'ns', 'x2'));
  assert.equal(p, socketPath('/run/c.sock', 'ns', 'x1'));
});
