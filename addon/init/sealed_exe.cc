#include "sealed_exe.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "../common/fd.h"
#include "util.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U  // Linux 6.3: an executable memfd where vm.memfd_noexec would refuse it
#endif

namespace runts::init {

namespace {

constexpr int kSeals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;

[[noreturn]] void die(const std::string& what) {
  diag("cannot run from a sealed copy of runts-init: " + what + ": " + strerror(errno));
  _exit(1);
}

int make_memfd() {
  int fd = static_cast<int>(syscall(SYS_memfd_create, "runts-init", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC));
  // Kernels before 6.3 do not know MFD_EXEC (and have nothing to opt out of).
  if (fd < 0 && errno == EINVAL) fd = static_cast<int>(syscall(SYS_memfd_create, "runts-init", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  return fd;
}

bool copy_all(int from, int to, off_t size) {
  off_t done = 0;
  while (done < size) {
    ssize_t n = sendfile(to, from, nullptr, static_cast<size_t>(size - done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EINVAL || errno == ENOSYS) && done == 0) break;  // fall back to read/write
    if (n <= 0) return false;
    done += n;
  }
  if (done == size) return true;
  char buf[65536];
  for (;;) {
    ssize_t r = read(from, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return false;
    if (r == 0) return true;
    for (ssize_t off = 0; off < r;) {
      ssize_t w = write(to, buf + off, static_cast<size_t>(r - off));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return false;
      off += w;
    }
  }
}

}  // namespace

bool running_sealed() {
  Fd self(open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
  if (!self.valid()) return false;
  int seals = fcntl(self.get(), F_GET_SEALS);  // EINVAL on anything but a memfd
  return seals >= 0 && (seals & kSeals) == kSeals;
}

void ensure_sealed(char** argv, char** envp) {
  if (running_sealed()) return;
  Fd self(open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
  if (!self.valid()) die("open /proc/self/exe");
  struct stat st {};
  if (fstat(self.get(), &st) < 0) die("fstat /proc/self/exe");
  Fd mem(make_memfd());
  if (!mem.valid()) die("memfd_create");
  if (!copy_all(self.get(), mem.get(), st.st_size)) die("copy /proc/self/exe");
  self.reset();
  if (fchmod(mem.get(), 0555) < 0) die("fchmod memfd");
  if (fcntl(mem.get(), F_ADD_SEALS, kSeals) < 0) die("seal memfd");
  syscall(SYS_execveat, mem.get(), "", argv, envp, AT_EMPTY_PATH);
  die("execveat memfd");
}

}  // namespace runts::init
