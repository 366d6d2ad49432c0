// Foreground `run` and `exec` pass the signals runts receives on to the
// container's process instead of dying from them, as runc does. SIGPROF is
// left alone: V8's sampling profiler (--cpu-prof) runs on it, and taking it
// over would hand the profiler's ticks to the container.
import { constants } from 'node:os';

const SIGNUM = constants.signals as Record<string, number>;

export const FORWARDED: readonly NodeJS.Signals[] = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2', 'SIGCONT', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGALRM', 'SIGVTALRM', 'SIGXCPU', 'SIGXFSZ', 'SIGPWR', 'SIGSYS', 'SIGURG'];

/** Installs handlers that call `forward(signum)`; returns their removal. */
export function forwardSignals(forward: (signum: number) => void): () => void {
  const handlers = FORWARDED.map((sig) => [sig, (): void => forward(SIGNUM[sig]!)] as const);
  for (const [sig, h] of handlers) process.on(sig, h);
  return () => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };
}
