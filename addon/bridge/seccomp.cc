// compileSeccomp: a SeccompProfile (src/plan/seccomp.ts) in, the BPF program
// libseccomp generates for it out, plus the syscall names this libseccomp
// does not know (skipped, as runc skips them). runts-init then only loads the
// program: nothing is compiled inside the container, after the runtime's
// setup, or in a process whose syscalls the filter already restricts.
//
// libseccomp is opened with dlopen on first use, so commands that never see
// a seccomp profile (state, kill, ...) do not pay for loading it.
#include "seccomp.h"

#include <dlfcn.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/seccomp.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "errno_error.h"

namespace runts::bridge {
namespace {

struct Libseccomp {
  decltype(&seccomp_init) init;
  decltype(&seccomp_release) release;
  decltype(&seccomp_arch_resolve_name) arch_resolve_name;
  decltype(&seccomp_arch_add) arch_add;
  decltype(&seccomp_syscall_resolve_name) syscall_resolve_name;
  decltype(&seccomp_rule_add_array) rule_add_array;
  decltype(&seccomp_export_bpf) export_bpf;
};

// One per process, filled once: the table only holds function addresses.
const Libseccomp& lib(const Napi::Env& env) {
  static Libseccomp l{};
  static bool loaded = false;
  if (loaded) return l;
  void* h = dlopen("libseccomp.so.2", RTLD_NOW | RTLD_LOCAL);
  if (!h) throw Napi::Error::New(env, std::string("seccomp: cannot load libseccomp (apt-get install libseccomp2): ") + dlerror());
  auto sym = [&](const char* name) {
    void* p = dlsym(h, name);
    if (!p) throw Napi::Error::New(env, std::string("seccomp: libseccomp lacks ") + name);
    return p;
  };
  l.init = reinterpret_cast<decltype(l.init)>(sym("seccomp_init"));
  l.release = reinterpret_cast<decltype(l.release)>(sym("seccomp_release"));
  l.arch_resolve_name = reinterpret_cast<decltype(l.arch_resolve_name)>(sym("seccomp_arch_resolve_name"));
  l.arch_add = reinterpret_cast<decltype(l.arch_add)>(sym("seccomp_arch_add"));
  l.syscall_resolve_name = reinterpret_cast<decltype(l.syscall_resolve_name)>(sym("seccomp_syscall_resolve_name"));
  l.rule_add_array = reinterpret_cast<decltype(l.rule_add_array)>(sym("seccomp_rule_add_array"));
  l.export_bpf = reinterpret_cast<decltype(l.export_bpf)>(sym("seccomp_export_bpf"));
  loaded = true;
  return l;
}

uint32_t u32_prop(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string(key) + " must be a number");
  return static_cast<uint32_t>(v.As<Napi::Number>().Int64Value());
}

uint64_t u64_prop(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsString()) throw Napi::TypeError::New(o.Env(), std::string(key) + " must be a decimal string");
  std::string s = v.As<Napi::String>().Utf8Value();
  errno = 0;
  char* end = nullptr;
  unsigned long long n = strtoull(s.c_str(), &end, 10);
  if (s.empty() || *end || errno) throw Napi::TypeError::New(o.Env(), std::string(key) + ": not a 64-bit decimal: " + s);
  return n;
}

Napi::Array array_prop(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsArray()) throw Napi::TypeError::New(o.Env(), std::string(key) + " must be an array");
  return v.As<Napi::Array>();
}

struct Ctx {
  const Libseccomp& l;
  scmp_filter_ctx ctx;
  ~Ctx() { if (ctx) l.release(ctx); }
};

// libseccomp returns -errno.
[[noreturn]] void fail(const Napi::Env& env, const std::string& what, int rc) { throw_errno(env, "seccomp: " + what, -rc); }

}  // namespace

Napi::Value CompileSeccomp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "profile must be an object");
  Napi::Object profile = info[0].As<Napi::Object>();
  const Libseccomp& l = lib(env);

  Ctx c{l, l.init(u32_prop(profile, "defaultAction"))};
  if (!c.ctx) throw Napi::Error::New(env, "seccomp: invalid default action");

  Napi::Array archs = array_prop(profile, "architectures");
  for (uint32_t i = 0; i < archs.Length(); i++) {
    std::string name = archs.Get(i).As<Napi::String>().Utf8Value();
    uint32_t token = l.arch_resolve_name(name.c_str());
    if (token == 0) throw Napi::Error::New(env, "seccomp: architecture " + name + " is unknown to this libseccomp");
    int rc = l.arch_add(c.ctx, token);
    if (rc < 0 && rc != -EEXIST) fail(env, "add architecture " + name, rc);
  }

  Napi::Array unknown = Napi::Array::New(env);
  Napi::Array rules = array_prop(profile, "rules");
  for (uint32_t i = 0; i < rules.Length(); i++) {
    Napi::Object rule = rules.Get(i).As<Napi::Object>();
    std::string name = rule.Get("syscall").As<Napi::String>().Utf8Value();
    int nr = l.syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR) {
      unknown.Set(unknown.Length(), name);
      continue;
    }
    std::vector<scmp_arg_cmp> cmps;
    Napi::Array conds = array_prop(rule, "conditions");
    for (uint32_t j = 0; j < conds.Length(); j++) {
      Napi::Object cond = conds.Get(j).As<Napi::Object>();
      cmps.push_back({u32_prop(cond, "index"), static_cast<scmp_compare>(u32_prop(cond, "op")), u64_prop(cond, "value"),
                      u64_prop(cond, "valueTwo")});
    }
    int rc = l.rule_add_array(c.ctx, u32_prop(rule, "action"), nr, static_cast<unsigned>(cmps.size()), cmps.data());
    if (rc < 0) fail(env, "add rule for " + name, rc);
  }

  int fd = memfd_create("runts-seccomp", MFD_CLOEXEC);
  if (fd < 0) throw_errno(env, "seccomp: memfd_create", errno);
  int rc = l.export_bpf(c.ctx, fd);
  if (rc < 0) {
    close(fd);
    fail(env, "export", rc);
  }
  off_t size = lseek(fd, 0, SEEK_END);
  std::string bpf(static_cast<size_t>(size > 0 ? size : 0), '\0');
  ssize_t got = size > 0 ? pread(fd, bpf.data(), bpf.size(), 0) : 0;
  int err = errno;
  close(fd);
  if (got != static_cast<ssize_t>(bpf.size())) throw_errno(env, "seccomp: read exported program", got < 0 ? err : EIO);

  Napi::Object out = Napi::Object::New(env);
  out.Set("program", Napi::Buffer<char>::Copy(env, bpf.data(), bpf.size()));
  out.Set("unknown", unknown);
  return out;
}

// seccomp(SECCOMP_SET_MODE_FILTER, flag, NULL) fails with EFAULT when the
// kernel knows the flag and with EINVAL when it does not; nothing is loaded.
Napi::Value SeccompFlagSupported(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), "flag must be a number");
  unsigned flag = info[0].As<Napi::Number>().Uint32Value();
  long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, nullptr);
  return Napi::Boolean::New(info.Env(), r < 0 && errno == EFAULT);
}

}  // namespace runts::bridge
