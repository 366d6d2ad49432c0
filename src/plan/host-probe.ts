// The one part of plan/ that reads the host: what a bind mount source is.
// buildPlan uses it unless the caller passes its own (tests do). If the
// source changes between planning and mounting, runts-init creates what the
// plan says and the mount then fails loudly; nothing is redirected.
import { statSync } from 'node:fs';

/** "file" for anything that is not a directory (regular file, socket, device...). */
export function statSourceKind(hostPath: string): 'dir' | 'file' | null {
  try {
    return statSync(hostPath).isDirectory() ? 'dir' : 'file';
  } catch {
    return null;
  }
}
