// What `start` prints (bootstrap.ts) and the messages encoded by hand (wire.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromBinary, create, toBinary } from '@bufbuild/protobuf';
import { AnySchema } from '@bufbuild/protobuf/wkt';
import { bootstrapForm, bootstrapOutput, decodeBootstrapParams, type BootstrapCaller } from '../../src/shim/bootstrap.ts';
import { decodeLengthDelimited, encodeDeleteResponse } from '../../src/shim/wire.ts';
import { CreateTaskRequestSchema, DeleteResponseSchema } from '../../src/shim/gen/containerd/task_pb.ts';
import { SERVES_TASK_V3 } from '../../src/shim/task-api.ts';
import { TaskService, type TaskServiceOptions } from '../../src/shim/task-service.ts';

const ADDRESS = 'unix:///run/containerd/s/abc';

/** A BootstrapParams as containerd 2.3 writes it: instance_id 1, namespace 2, log_level 3 (DEBUG, -4), containerd_version 4. */
function params(id: string, ns: string): Uint8Array {
  const str = (field: number, s: string): number[] => [(field << 3) | 2, Buffer.byteLength(s), ...Buffer.from(s)];
  const minus4 = [0xfc, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
  return Uint8Array.from([...str(1, id), ...str(2, ns), 3 << 3, ...minus4, ...str(4, 'v2.3.0')]);
}

const caller = (over: Partial<BootstrapCaller>): BootstrapCaller => ({ stdin: new Uint8Array(), id: 'c1', namespace: 'default', setting: undefined, taskV3: true, ...over });

test('the plain address for containerd 1.6 to 2.2, which write nothing or runtime options on stdin', () => {
  assert.equal(bootstrapForm(caller({})), 'plain');
  // 2.0-2.2 write the runtime options, a protobuf Any: its type_url (1) and value (2) decode as strings too.
  const options = toBinary(AnySchema, create(AnySchema, { typeUrl: 'containerd.runc.v1.Options', value: Buffer.from('x') }));
  assert.notEqual(decodeBootstrapParams(options), null);
  assert.equal(bootstrapForm(caller({ stdin: options })), 'plain');
  assert.equal(bootstrapForm(caller({ stdin: Buffer.from('garbage \xff') })), 'plain');
});

test('JSON version 3 for a caller that sends BootstrapParams naming this shim (containerd 2.3+)', () => {
  const p = params('c1', 'default');
  assert.deepEqual(decodeBootstrapParams(p), { instanceId: 'c1', namespace: 'default' });
  assert.equal(bootstrapForm(caller({ stdin: p })), 'json');
  assert.equal(bootstrapForm(caller({ stdin: params('c2', 'default') })), 'plain');
  assert.equal(bootstrapForm(caller({ stdin: Buffer.from(JSON.stringify({ instance_id: 'c1', namespace: 'default' })) })), 'json');
  // ... but only while the server speaks task API v3.
  assert.equal(bootstrapForm(caller({ stdin: p, taskV3: false })), 'plain');
});

test('RUNTS_SHIM_BOOTSTRAP forces either form (json still needs task API v3)', () => {
  assert.equal(bootstrapForm(caller({ setting: 'json' })), 'json');
  assert.equal(bootstrapForm(caller({ setting: 'json', taskV3: false })), 'plain');
  assert.equal(bootstrapForm(caller({ setting: 'plain', stdin: params('c1', 'default') })), 'plain');
  assert.throws(() => bootstrapForm(caller({ setting: 'v3' })), /RUNTS_SHIM_BOOTSTRAP=v3/);
});

test('the two forms as printed', () => {
  assert.equal(bootstrapOutput(ADDRESS, 'plain'), ADDRESS);
  assert.deepEqual(JSON.parse(bootstrapOutput(ADDRESS, 'json')), { version: 3, address: ADDRESS, protocol: 'ttrpc' });
});

test('SERVES_TASK_V3 says whether the task service registers containerd.task.v3.Task', () => {
  const names = [...new TaskService({} as TaskServiceOptions).handlers().keys()];
  assert.equal(names.some((n) => n.startsWith('containerd.task.v3.Task/')), SERVES_TASK_V3);
});

test('the hand-encoded DeleteResponse decodes with the generated schema', () => {
  const at = new Date(1_700_000_000_123);
  const r = fromBinary(DeleteResponseSchema, encodeDeleteResponse(0, 137, at));
  assert.equal(r.pid, 0);
  assert.equal(r.exitStatus, 137);
  assert.equal(r.exitedAt?.seconds, 1_700_000_000n);
  assert.equal(r.exitedAt?.nanos, 123_000_000);
  const r2 = fromBinary(DeleteResponseSchema, encodeDeleteResponse(300, 0, new Date(0)));
  assert.equal(r2.pid, 300);
  assert.equal(r2.exitStatus, 0);
});

test('decodeLengthDelimited finds the bundle (2) of a CreateTaskRequest, and refuses malformed bytes', () => {
  const req = toBinary(CreateTaskRequestSchema, create(CreateTaskRequestSchema, { id: 'c1', bundle: '/run/b/c1', terminal: true, stdout: '/f' }));
  assert.equal(Buffer.from(decodeLengthDelimited(req)!.get(2)!).toString(), '/run/b/c1');
  assert.equal(decodeLengthDelimited(Uint8Array.from([0x12, 0x05, 0x61])), null);
  assert.equal(decodeLengthDelimited(Uint8Array.from([0x0b])), null);
});
