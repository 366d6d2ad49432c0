// One conformance case: a name ("area/what") and a check run against one
// runtime through a Ctx. It throws to fail, throws Skip to be skipped.
import type { Ctx } from './context.ts';

export interface Case {
  name: string;
  run: (t: Ctx) => void | Promise<void>;
}
