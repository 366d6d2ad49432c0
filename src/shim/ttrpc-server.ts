// A ttrpc server on a listening unix socket: one request frame in, one
// response frame out, on the request's stream id; requests on a connection
// are served concurrently (Wait blocks for as long as the process runs).
// Peers running under another uid are refused (SO_PEERCRED).
import type { Server, Socket } from 'node:net';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { bridge } from '../native/bridge.js';
import { RequestSchema, ResponseSchema } from './gen/ttrpc/ttrpc_pb.js';
import { StatusSchema } from './gen/google/rpc/status_pb.js';
import { Code, ShimError } from './errors.js';
import { encodeFrame, FrameReader, MESSAGE_TYPE_REQUEST, MESSAGE_TYPE_RESPONSE } from './ttrpc-frame.js';

/** A method: the request payload in, the response payload out. */
export type Handler = (payload: Uint8Array) => Promise<Uint8Array>;

export interface TtrpcServerOptions {
  /** "service/method" -> handler. */
  handlers: Map<string, Handler>;
  onError: (msg: string) => void;
}

function socketFd(sock: Socket): number {
  const fd = (sock as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === 'number' ? fd : -1;
}

function allowed(sock: Socket): boolean {
  const fd = socketFd(sock);
  if (fd < 0) return false;
  try {
    return bridge().peerCred(fd).uid === process.getuid!();
  } catch {
    return false;
  }
}

export function serveTtrpc(server: Server, opts: TtrpcServerOptions): void {
  server.on('connection', (sock) => {
    if (!allowed(sock)) {
      opts.onError('ttrpc: refused a connection from another uid');
      sock.destroy();
      return;
    }
    const reader = new FrameReader();
    sock.on('error', () => sock.destroy());
    sock.on('data', (chunk: Buffer) => {
      let frames;
      try {
        frames = reader.push(chunk);
      } catch (e) {
        opts.onError((e as Error).message);
        sock.destroy();
        return;
      }
      for (const f of frames) {
        if (f.type !== MESSAGE_TYPE_REQUEST) continue;
        void answer(f.streamId, f.payload).then((out) => {
          if (!sock.destroyed) sock.write(out);
        });
      }
    });
  });

  async function answer(streamId: number, payload: Uint8Array): Promise<Buffer> {
    let response;
    try {
      const req = fromBinary(RequestSchema, payload);
      const handler = opts.handlers.get(`${req.service}/${req.method}`);
      if (!handler) throw new ShimError(Code.Unimplemented, `${req.service}/${req.method}: method not implemented`);
      response = create(ResponseSchema, { payload: await handler(req.payload) });
    } catch (e) {
      const code = e instanceof ShimError ? e.code : Code.Unknown;
      const message = e instanceof Error ? e.message : String(e);
      if (code !== Code.NotFound) opts.onError(`ttrpc: ${message}`);
      response = create(ResponseSchema, { status: create(StatusSchema, { code, message }) });
    }
    return encodeFrame({ streamId, type: MESSAGE_TYPE_RESPONSE, flags: 0, payload: toBinary(ResponseSchema, response) });
  }
}
