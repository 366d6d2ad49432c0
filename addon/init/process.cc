#include "process.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "../common/errors.h"
#include "../common/syscalls.h"
#include "resolve.h"
#include "util.h"

namespace runts::init {

void set_names(const Plan& plan) {
  if (plan.hostname && sethostname(plan.hostname->data(), plan.hostname->size()) < 0) fail("sethostname", *plan.hostname);
  if (plan.domainname && setdomainname(plan.domainname->data(), plan.domainname->size()) < 0) fail("setdomainname", *plan.domainname);
}

void write_sysctls(const Plan& plan) {
  for (const auto& s : plan.sysctl) {
    std::string path = "/proc/sys/";
    for (char c : s.key) path += c == '.' ? '/' : c;
    if (write_file(path, s.value) < 0) fail("sysctl", s.key);
  }
}

void join_session_keyring(const Plan& plan) {
  if (plan.noNewKeyring) return;
  std::string name = "_ses." + plan.id;
  if (sys::keyctl_join_session(name.c_str()) >= 0) return;
  // No keyrings in this kernel, or not allowed here (e.g. some user
  // namespaces): the container then shares the caller's session keyring.
  if (errno == ENOSYS || errno == EPERM || errno == EACCES) return;
  fail("keyctl", name);
}

void enter_cwd(const PlanProcess& proc) {
  // Resolved (and created) inside the new root, magic links refused: a cwd
  // through /proc/self/fd/N or /proc/<pid>/cwd could name a host directory
  // (CVE-2024-21626), and a plain mkdir -p would follow it onto the host.
  // check_cwd() verifies the result again before the exec.
  Fd root(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) fail("open", "/");
  Fd dir;
  try {
    dir = ensure_in_root(root.get(), proc.cwd, Create::Dir);
  } catch (const StepError& e) {
    if (e.err() != ELOOP && e.err() != EXDEV) throw;
    fail("chdir", proc.cwd, e.err(), "the working directory must resolve inside the container (no /proc magic links)");
  }
  if (fchdir(dir.get()) < 0) fail("chdir", proc.cwd);
}

static std::string rlimit_name(int resource) {
  static const char* const kNames[] = {"RLIMIT_CPU",    "RLIMIT_FSIZE",   "RLIMIT_DATA",    "RLIMIT_STACK",     "RLIMIT_CORE",  "RLIMIT_RSS",
                                       "RLIMIT_NPROC",  "RLIMIT_NOFILE",  "RLIMIT_MEMLOCK", "RLIMIT_AS",        "RLIMIT_LOCKS", "RLIMIT_SIGPENDING",
                                       "RLIMIT_MSGQUEUE", "RLIMIT_NICE",  "RLIMIT_RTPRIO",  "RLIMIT_RTTIME"};
  if (resource >= 0 && resource < int(sizeof kNames / sizeof *kNames)) return kNames[resource];
  return "rlimit " + std::to_string(resource);
}

void set_rlimits(const PlanProcess& proc) {
  for (const auto& r : proc.rlimits) {
    // rlim_t is 64-bit and RLIM_INFINITY is 2^64-1, the value runts sends.
    struct rlimit lim {static_cast<rlim_t>(r.soft), static_cast<rlim_t>(r.hard)};
    if (prlimit(0, static_cast<__rlimit_resource>(r.resource), &lim, nullptr) < 0) fail("setrlimit", rlimit_name(r.resource));
  }
}

void set_oom_score_adj(const PlanProcess& proc, pid_t pid) {
  if (!proc.oomScoreAdj) return;
  std::string path = pid > 0 ? "/proc/" + std::to_string(pid) + "/oom_score_adj" : "/proc/self/oom_score_adj";
  std::string value = std::to_string(*proc.oomScoreAdj), now;
  // Already set by A (see process.h): the init's own file may not be writable to it.
  if (pid == 0 && read_file(path, now) && now == value + "\n") return;
  if (write_file(path, value) < 0) fail("write", path);
}

void set_umask(const PlanProcess& proc) { umask(proc.umask ? static_cast<mode_t>(*proc.umask) : 022); }

static const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// 0 when `path` is a regular file we may execute, else the errno execve
// would give.
static int check_executable(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) < 0) return errno;
  if (!S_ISREG(st.st_mode)) return EACCES;
  if (faccessat(AT_FDCWD, path.c_str(), X_OK, AT_EACCESS) < 0) return errno;
  // Root passes access(X_OK) when any execute bit is set; none set means no.
  if ((st.st_mode & 0111) == 0) return EACCES;
  return 0;
}

std::string resolve_executable(const PlanProcess& proc) {
  const std::string& name = proc.args[0];
  if (name.empty()) fail("exec", name, ENOENT, "empty executable name");
  if (name.find('/') != std::string::npos) {
    int err = check_executable(name);
    if (err) fail("exec", name, err);
    return name;
  }
  std::string path = kDefaultPath;
  for (const auto& e : proc.env) {
    if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
  }
  int seen = ENOENT;
  size_t i = 0;
  for (;;) {
    size_t j = path.find(':', i);
    std::string dir = path.substr(i, j == std::string::npos ? std::string::npos : j - i);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    int err = check_executable(candidate);
    if (err == 0) return candidate;
    // Like execvp: a candidate we may not run is remembered, a missing one is not.
    if (err == EACCES) seen = EACCES;
    if (j == std::string::npos) break;
    i = j + 1;
  }
  fail("exec", name, seen, seen == ENOENT ? "executable file not found in $PATH" : "");
}

}  // namespace runts::init
