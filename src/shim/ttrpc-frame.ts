// ttrpc framing: a 10-byte header (uint32 BE payload length, uint32 BE
// stream id, uint8 message type, uint8 flags) and the payload, a protobuf
// ttrpc.Request (type 1) or ttrpc.Response (type 2). Pure: unit-tested.

export const HEADER_LENGTH = 10;
export const MESSAGE_TYPE_REQUEST = 1;
export const MESSAGE_TYPE_RESPONSE = 2;
/** ttrpc's default cap on one message. */
export const MAX_MESSAGE_LENGTH = 4 << 20;

export interface Frame {
  streamId: number;
  type: number;
  flags: number;
  payload: Uint8Array;
}

export function encodeFrame(f: Frame): Buffer {
  if (f.payload.length > MAX_MESSAGE_LENGTH) throw new Error(`ttrpc: message of ${f.payload.length} bytes exceeds the ${MAX_MESSAGE_LENGTH}-byte limit`);
  const out = Buffer.alloc(HEADER_LENGTH + f.payload.length);
  out.writeUInt32BE(f.payload.length, 0);
  out.writeUInt32BE(f.streamId >>> 0, 4);
  out.writeUInt8(f.type, 8);
  out.writeUInt8(f.flags, 9);
  out.set(f.payload, HEADER_LENGTH);
  return out;
}

/** Accumulates bytes from a stream and yields the complete frames in them. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Frame[] = [];
    while (this.pending.length >= HEADER_LENGTH) {
      const length = this.pending.readUInt32BE(0);
      if (length > MAX_MESSAGE_LENGTH) throw new Error(`ttrpc: message of ${length} bytes exceeds the ${MAX_MESSAGE_LENGTH}-byte limit`);
      if (this.pending.length < HEADER_LENGTH + length) break;
      frames.push({
        streamId: this.pending.readUInt32BE(4),
        type: this.pending.readUInt8(8),
        flags: this.pending.readUInt8(9),
        payload: Buffer.from(this.pending.subarray(HEADER_LENGTH, HEADER_LENGTH + length)),
      });
      this.pending = this.pending.subarray(HEADER_LENGTH + length);
    }
    return frames;
  }
}
