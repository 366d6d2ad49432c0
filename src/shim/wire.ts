// The few protobuf messages the short-lived actions (start, delete) read or
// write, encoded by hand: building @bufbuild/protobuf's descriptors for
// task.proto costs more than the rest of `delete` (it runs on the path of
// every `ctr run --rm` under containerd 1.6). Unit tests check these
// against the generated schemas.

function varint(n: bigint | number): number[] {
  let v = BigInt(n);
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

/** A varint field (wire type 0); proto3 leaves out zeros. */
function varintField(field: number, n: bigint | number): number[] {
  return BigInt(n) === 0n ? [] : [...varint(field << 3), ...varint(n)];
}

function bytesField(field: number, bytes: readonly number[]): number[] {
  return [...varint((field << 3) | 2), ...varint(bytes.length), ...bytes];
}

/** containerd.task.v2.DeleteResponse { pid = 1; exit_status = 2; exited_at = 3 (Timestamp) }. */
export function encodeDeleteResponse(pid: number, exitStatus: number, exitedAt: Date): Uint8Array {
  const ms = exitedAt.getTime();
  const seconds = Math.floor(ms / 1000);
  const nanos = (ms - seconds * 1000) * 1_000_000;
  const timestamp = [...varintField(1, seconds), ...varintField(2, nanos)];
  return Uint8Array.from([...varintField(1, pid), ...varintField(2, exitStatus), ...bytesField(3, timestamp)]);
}

/**
 * The length-delimited fields of a message, by field number (the last of
 * each wins, as protobuf merges scalars); null when the bytes are not a
 * well-formed message.
 */
export function decodeLengthDelimited(buf: Uint8Array): Map<number, Uint8Array> | null {
  const out = new Map<number, Uint8Array>();
  let i = 0;
  const readVarint = (): bigint | null => {
    let v = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (i >= buf.length) return null;
      const b = buf[i++]!;
      v |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return v;
    }
    return null;
  };
  while (i < buf.length) {
    const tag = readVarint();
    if (tag === null) return null;
    const field = Number(tag >> 3n);
    const type = Number(tag & 7n);
    if (field === 0) return null;
    if (type === 0) {
      if (readVarint() === null) return null;
    } else if (type === 1 || type === 5) {
      i += type === 1 ? 8 : 4;
    } else if (type === 2) {
      const len = readVarint();
      if (len === null || BigInt(i) + len > BigInt(buf.length)) return null;
      out.set(field, buf.subarray(i, i + Number(len)));
      i += Number(len);
    } else {
      // Groups (3, 4) are not used by any message read here; 6 and 7 are invalid.
      return null;
    }
  }
  return i === buf.length ? out : null;
}
