// One-shot command output (state, list, ps, features, help) straight to fd 1.
// process.stdout would first build a stream (tty, pipe or file flavour, with
// their modules) for a single write: about a millisecond of every start.
import { writeSync } from 'node:fs';

export function writeOut(text: string): void {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(1, buf, off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // A reader that went away: as with runc, nothing more to say.
      if (code === 'EPIPE') return;
      // A non-blocking pipe that is full: let the stream wait for it.
      if (code === 'EAGAIN') {
        process.stdout.write(buf.subarray(off));
        return;
      }
      throw e;
    }
  }
}
