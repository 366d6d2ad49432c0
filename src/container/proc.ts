// Reading /proc/<pid>/stat: a stored pid is trusted only together with its
// start time (field 22), so a recycled pid never reads as our container.
import { readFileSync } from 'node:fs';

export interface ProcStat {
  state: string;
  ppid: number;
  startTime: string;
}

export function readProcStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // comm (field 2) may hold spaces and parentheses: fields resume after the last ")".
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); field N is fields[N - 3].
  return { state: fields[0] ?? '', ppid: Number(fields[1]), startTime: fields[19] ?? '' };
}

/** True while `pid` is the process that started at `startTime` and has not exited (zombies count as exited). */
export function isAlive(pid: number, startTime: string): boolean {
  if (pid <= 0) return false;
  const st = readProcStat(pid);
  if (!st || st.startTime !== startTime) return false;
  return st.state !== 'Z' && st.state !== 'X' && st.state !== 'x';
}
