// runts-init runs from a sealed in-memory copy of itself (CVE-2019-5736
// class). Both the container init (until `runts start`) and the process
// `runts exec` forks are runts-init while they sit inside the container's
// namespaces, so a container process may reach them through
// /proc/<pid>/exe; opened there (even read-only, reopened later through
// /proc/self/fd/N for writing once no runts-init runs), the host's binary
// would be writable from inside the container. Run from a memfd sealed
// against writing, growing and shrinking, /proc/<pid>/exe leads only to that
// private, immutable copy.
#pragma once

namespace runts::init {

// True when this process already executes a memfd carrying the write seals.
bool running_sealed();

// Copies /proc/self/exe into a sealed memfd and execveat()s it with the same
// argv and environment (fds without close-on-exec, the channel included,
// survive). Returns only when already sealed; on failure prints why and
// exits 1: runts-init never enters a container from the host file.
void ensure_sealed(char** argv, char** envp);

}  // namespace runts::init
