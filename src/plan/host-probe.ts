// The one part of plan/ that reads the host: what a bind mount source is.
// build-plan.ts never imports it (it stays pure and unit-testable); callers
// pass `statSourceKind` in. runts-init still copes with the source changing
// in between: it creates what the plan says and the mount then fails loudly.
import { statSync } from 'node:fs';

/** "file" for anything that is not a directory (regular file, socket, device...). */
export function statSourceKind(hostPath: string): 'dir' | 'file' | null {
  try {
    return statSync(hostPath).isDirectory() ? 'dir' : 'file';
  } catch {
    return null;
  }
}
