// cgroup v2 has no devices.allow: device access is decided by an eBPF
// program of type BPF_PROG_TYPE_CGROUP_DEVICE attached to the cgroup. This
// module compiles a DeviceState (devices.ts: the same state v1 writes) into
// that program; loading and attaching it is the N-API bridge's job
// (CgroupManagerOptions.loadDeviceProgram).
//
// The program sees struct bpf_cgroup_dev_ctx { u32 access_type; u32 major;
// u32 minor; } in r1, where access_type = (access << 16) | type, type
// BPF_DEVCG_DEV_BLOCK (1) or BPF_DEVCG_DEV_CHAR (2), access a mask of
// BPF_DEVCG_ACC_MKNOD (1), _READ (2), _WRITE (4). It returns 1 to allow and
// 0 to deny. Shape of the generated code:
//
//   r2 = *(u32 *)(r1 + 0)        access_type
//   r3 = r2; r3 &= 0xffff        device type
//   r2 >>= 16                    requested access
//   r4 = *(u32 *)(r1 + 4)        major
//   r5 = *(u32 *)(r1 + 8)        minor
//   for each exception:          (skip to the next block on a mismatch)
//     if r3 != TYPE goto next
//     if r4 != MAJOR goto next   (omitted for a wildcard)
//     if r5 != MINOR goto next   (omitted for a wildcard)
//     default deny:  r1 = r2; r1 &= ~ACCESS & 7; if r1 != 0 goto next   (omitted for rwm)
//     default allow: r1 = r2; r1 &= ACCESS;       if r1 == 0 goto next
//     r0 = verdict; exit
//   r0 = default; exit
//
// which decides exactly as deviceAllowed() in devices.ts.
import { endianness } from 'node:os';
import { ACC_ALL, WILDCARD, type DeviceState } from './devices.js';

// Instruction classes, sizes, modes, operations (linux/bpf_common.h, linux/bpf.h).
export const BPF_LDX = 0x01;
export const BPF_ALU64 = 0x07;
export const BPF_JMP = 0x05;
export const BPF_W = 0x00;
export const BPF_MEM = 0x60;
export const BPF_K = 0x00;
export const BPF_X = 0x08;
export const BPF_AND = 0x50;
export const BPF_RSH = 0x70;
export const BPF_MOV = 0xb0;
export const BPF_JEQ = 0x10;
export const BPF_JNE = 0x50;
export const BPF_EXIT = 0x90;

export const BPF_DEVCG_DEV_BLOCK = 1;
export const BPF_DEVCG_DEV_CHAR = 2;
/** For the loader: bpf(2) program and attach types. */
export const BPF_PROG_TYPE_CGROUP_DEVICE = 15;
export const BPF_CGROUP_DEVICE = 6;

export interface BpfInsn {
  code: number;
  dst: number;
  src: number;
  /** Signed 16-bit jump offset (in instructions, from the next one). */
  off: number;
  /** Signed 32-bit immediate. */
  imm: number;
}

const insn = (code: number, dst: number, src: number, off: number, imm: number): BpfInsn => ({ code, dst, src, off, imm });
const ldxW = (dst: number, src: number, off: number) => insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0);
const movReg = (dst: number, src: number) => insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
const movImm = (dst: number, imm: number) => insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
const andImm = (dst: number, imm: number) => insn(BPF_ALU64 | BPF_AND | BPF_K, dst, 0, 0, imm);
const rshImm = (dst: number, imm: number) => insn(BPF_ALU64 | BPF_RSH | BPF_K, dst, 0, 0, imm);
const jneImm = (dst: number, imm: number, off: number) => insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm);
const jeqImm = (dst: number, imm: number, off: number) => insn(BPF_JMP | BPF_JEQ | BPF_K, dst, 0, off, imm);
const exit = () => insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);

/** The program for a device state (see the top of the file). */
export function deviceFilterProgram(state: DeviceState): BpfInsn[] {
  const verdictDefault = state.defaultAllow ? 1 : 0;
  if (state.exceptions.size === 0) return [movImm(0, verdictDefault), exit()];
  const prog: BpfInsn[] = [ldxW(2, 1, 0), movReg(3, 2), andImm(3, 0xffff), rshImm(2, 16), ldxW(4, 1, 4), ldxW(5, 1, 8)];
  for (const ex of state.exceptions.values()) {
    // Each block's conditional jumps are placeholders (off = -1) fixed up
    // once its length is known: they all land on the next block.
    const block: BpfInsn[] = [];
    block.push(jneImm(3, ex.type === 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, -1));
    if (ex.major !== WILDCARD) block.push(jneImm(4, ex.major, -1));
    if (ex.minor !== WILDCARD) block.push(jneImm(5, ex.minor, -1));
    if (state.defaultAllow) {
      block.push(movReg(1, 2), andImm(1, ex.access), jeqImm(1, 0, -1));
    } else if ((ex.access & ACC_ALL) !== ACC_ALL) {
      block.push(movReg(1, 2), andImm(1, ~ex.access & ACC_ALL), jneImm(1, 0, -1));
    }
    block.push(movImm(0, state.defaultAllow ? 0 : 1), exit());
    block.forEach((ins, i) => {
      if (ins.off === -1) ins.off = block.length - (i + 1);
    });
    prog.push(...block);
  }
  prog.push(movImm(0, verdictDefault), exit());
  return prog;
}

/** struct bpf_insn, 8 bytes each, in the byte order of the kernel that loads it (the host's). */
export function encodeBpf(insns: readonly BpfInsn[], order: 'LE' | 'BE' = endianness()): Buffer {
  const buf = Buffer.alloc(insns.length * 8);
  insns.forEach((ins, i) => {
    const o = i * 8;
    buf.writeUInt8(ins.code, o);
    // The dst_reg:4/src_reg:4 bitfield: dst in the low nibble on little-endian.
    buf.writeUInt8(order === 'LE' ? (ins.src << 4) | ins.dst : (ins.dst << 4) | ins.src, o + 1);
    if (order === 'LE') {
      buf.writeInt16LE(ins.off, o + 2);
      buf.writeInt32LE(ins.imm, o + 4);
    } else {
      buf.writeInt16BE(ins.off, o + 2);
      buf.writeInt32BE(ins.imm, o + 4);
    }
  });
  return buf;
}

/** Decodes encodeBpf's output (tests; debugging dumps). */
export function decodeBpf(buf: Buffer, order: 'LE' | 'BE' = endianness()): BpfInsn[] {
  const out: BpfInsn[] = [];
  for (let o = 0; o + 8 <= buf.length; o += 8) {
    const regs = buf.readUInt8(o + 1);
    out.push({
      code: buf.readUInt8(o),
      dst: order === 'LE' ? regs & 0xf : regs >> 4,
      src: order === 'LE' ? regs >> 4 : regs & 0xf,
      off: order === 'LE' ? buf.readInt16LE(o + 2) : buf.readInt16BE(o + 2),
      imm: order === 'LE' ? buf.readInt32LE(o + 4) : buf.readInt32BE(o + 4),
    });
  }
  return out;
}
