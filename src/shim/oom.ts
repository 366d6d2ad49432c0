// OOM kills in the shim's containers, for containerd's /tasks/oom event.
//
// The kernel counts OOM kills per memory cgroup (v2 memory.events
// "oom_kill", v1 memory.oom_control "oom_kill"; oomKills() in
// src/container/events.ts reads either). A container gets one notice each
// time its counter is seen to have gone up. It is looked at:
//  - v2: whenever memory.events changes. cgroupfs signals every change of
//    that file to inotify (kernfs_notify), so fs.watch costs one inotify
//    watch per container and nothing while nothing happens.
//  - v1: every V1_POLL_MS, all containers in one timer. v1's notification
//    is an eventfd registered through cgroup.event_control, which Node
//    cannot do without a native addition; a read of one small file per
//    container per second is negligible even for hundreds of containers,
//    and the timer only exists while a v1 container is watched.
//  - both: once more when the container's init has exited, before its
//    TaskExit goes out (check()), so an OOM that killed the init is always
//    reported, and reported first, however the watch or timer lagged: the
//    kernel raises the counter as it sends the SIGKILL, long before the
//    shim reaps the victim.
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { SavedCgroups } from '../cgroups/manager.js';
import { oomKills } from '../container/events.js';

export const V1_POLL_MS = 1000;

interface Watched {
  cgroups: SavedCgroups;
  kills: bigint | null;
  watcher: FSWatcher | null;
}

export class OomWatcher {
  private readonly watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    /** Called once for each time a container's OOM kill count went up. */
    private readonly onOom: (id: string) => void,
    private readonly pollMs = V1_POLL_MS,
  ) {}

  watch(id: string, cgroups: SavedCgroups): void {
    this.unwatch(id);
    const w: Watched = { cgroups, kills: oomKills(cgroups), watcher: null };
    this.watched.set(id, w);
    const dir = cgroups.version === 2 ? cgroups.paths[''] : undefined;
    if (dir !== undefined) {
      try {
        // persistent: false: a watch must not keep the shim alive.
        w.watcher = watch(join(dir, 'memory.events'), { persistent: false }, () => this.check(id));
        // The cgroup going away (delete) ends the watch; the init's exit has been checked by then.
        w.watcher.on('error', () => this.stopWatcher(w));
        return;
      } catch {
        // No memory.events (memory controller not enabled there): polling finds nothing either, but costs little.
      }
    }
    this.ensureTimer();
  }

  /** Looks at the counter now: a notice if it went up since the last look. */
  check(id: string): void {
    const w = this.watched.get(id);
    if (!w) return;
    const now = oomKills(w.cgroups);
    if (now === null) return;
    const before = w.kills;
    w.kills = now;
    if (before !== null && now > before) this.onOom(id);
  }

  unwatch(id: string): void {
    const w = this.watched.get(id);
    if (!w) return;
    this.stopWatcher(w);
    this.watched.delete(id);
    if (this.timer && ![...this.watched.values()].some((x) => x.watcher === null)) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  close(): void {
    for (const id of [...this.watched.keys()]) this.unwatch(id);
  }

  private stopWatcher(w: Watched): void {
    w.watcher?.close();
    w.watcher = null;
  }

  private ensureTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      for (const [id, w] of this.watched) if (w.watcher === null) this.check(id);
    }, this.pollMs);
    this.timer.unref();
  }
}
