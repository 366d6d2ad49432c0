// A minimal ttrpc client: unary calls over one unix socket connection,
// made on first use and again after it breaks. Stream ids are odd, from 1.
import { connect, type Socket } from 'node:net';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { KeyValueSchema, RequestSchema, ResponseSchema } from './gen/ttrpc/ttrpc_pb.js';
import { encodeFrame, FrameReader, MESSAGE_TYPE_REQUEST, MESSAGE_TYPE_RESPONSE } from './ttrpc-frame.js';

interface Pending {
  resolve: (payload: Uint8Array) => void;
  reject: (e: Error) => void;
}

export class TtrpcClient {
  private sock: Socket | null = null;
  private nextStream = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly path: string) {}

  private connection(): Socket {
    if (this.sock && !this.sock.destroyed) return this.sock;
    const sock = connect(this.path);
    const reader = new FrameReader();
    sock.on('data', (chunk: Buffer) => {
      try {
        for (const f of reader.push(chunk)) {
          if (f.type !== MESSAGE_TYPE_RESPONSE) continue;
          const p = this.pending.get(f.streamId);
          if (!p) continue;
          this.pending.delete(f.streamId);
          const res = fromBinary(ResponseSchema, f.payload);
          if (res.status && res.status.code !== 0) p.reject(new Error(`ttrpc: ${res.status.message} (code ${res.status.code})`));
          else p.resolve(res.payload);
        }
      } catch (e) {
        sock.destroy(e as Error);
      }
    });
    const fail = (e?: Error): void => {
      if (this.sock === sock) this.sock = null;
      for (const [, p] of this.pending) p.reject(e ?? new Error('ttrpc: connection closed'));
      this.pending.clear();
    };
    sock.on('error', fail);
    sock.on('close', () => fail());
    // Its own connection must not keep the shim alive.
    sock.unref();
    this.sock = sock;
    return sock;
  }

  call(service: string, method: string, payload: Uint8Array, metadata: Record<string, string> = {}, timeoutMs = 10_000): Promise<Uint8Array> {
    const streamId = this.nextStream;
    this.nextStream += 2;
    const req = create(RequestSchema, {
      service,
      method,
      payload,
      timeoutNano: BigInt(timeoutMs) * 1_000_000n,
      metadata: Object.entries(metadata).map(([key, value]) => create(KeyValueSchema, { key, value })),
    });
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(streamId);
        reject(new Error(`ttrpc: ${service}/${method} timed out`));
      }, timeoutMs);
      timer.unref();
      this.pending.set(streamId, {
        resolve: (p) => (clearTimeout(timer), resolve(p)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.connection().write(encodeFrame({ streamId, type: MESSAGE_TYPE_REQUEST, flags: 0, payload: toBinary(RequestSchema, req) }));
    });
  }

  close(): void {
    this.sock?.destroy();
    this.sock = null;
  }
}
