// Errors the shim returns over ttrpc, as google.rpc.Status codes (gRPC's
// numbering): containerd turns NotFound, AlreadyExists, FailedPrecondition
// and Unimplemented into its own errdefs kinds.
export const Code = {
  Unknown: 2,
  InvalidArgument: 3,
  NotFound: 5,
  AlreadyExists: 6,
  FailedPrecondition: 9,
  Unimplemented: 12,
  Internal: 13,
} as const;

export class ShimError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string): ShimError => new ShimError(Code.NotFound, `${what}: not found`);
export const unimplemented = (what: string): ShimError => new ShimError(Code.Unimplemented, `${what}: not implemented by containerd-shim-runts-v2`);
export const precondition = (msg: string): ShimError => new ShimError(Code.FailedPrecondition, msg);
