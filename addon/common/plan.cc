#include "plan.h"

#include <limits>

#include <nlohmann/json.hpp>

#include "json_read.h"

namespace runts {

using nlohmann::json;
using namespace json_read;

namespace {

std::vector<PlanIdMapping> id_mappings(const json& obj, const char* key, const std::string& path) {
  const json& a = array(obj, key, path);
  std::vector<PlanIdMapping> out;
  for (size_t i = 0; i < a.size(); i++) {
    std::string p = idx(sub(path, key), i);
    if (!a[i].is_object()) bad(p, "expected an object");
    out.push_back({uint32_t(integer(a[i], "containerID", p, 0, kU32)), uint32_t(integer(a[i], "hostID", p, 0, kU32)),
                   uint32_t(integer(a[i], "size", p, 1, kU32))});
  }
  return out;
}

PlanMount mount(const json& m, const std::string& p) {
  if (!m.is_object()) bad(p, "expected an object");
  PlanMount out;
  out.destination = str(m, "destination", p);
  if (!absolute(out.destination)) bad(sub(p, "destination"), "must be absolute");
  out.source = str(m, "source", p);
  out.fstype = str(m, "fstype", p);
  out.bind = boolean(m, "bind", p);
  out.flags = static_cast<unsigned long>(integer(m, "flags", p, 0, kU32));
  const json& prop = array(m, "propagation", p);
  for (size_t i = 0; i < prop.size(); i++)
    out.propagation.push_back(static_cast<unsigned long>(integer(prop[i], idx(sub(p, "propagation"), i), 0, kU32)));
  out.data = str(m, "data", p);
  std::string as = str(m, "createAs", p);
  if (as != "dir" && as != "file") bad(sub(p, "createAs"), "expected \"dir\" or \"file\"");
  out.createAsFile = as == "file";
  out.attrSet = static_cast<uint64_t>(integer(m, "attrSet", p, 0, kU32));
  out.attrClr = static_cast<uint64_t>(integer(m, "attrClr", p, 0, kU32));
  out.attrRecursive = boolean(m, "attrRecursive", p);
  const json& im = field(m, "idmap", p);
  if (!im.is_null()) {
    std::string q = sub(p, "idmap");
    if (!im.is_object()) bad(q, "expected an object or null");
    PlanIdmap idmap{boolean(im, "recursive", q), id_mappings(im, "uidMappings", q), id_mappings(im, "gidMappings", q)};
    if (idmap.uidMappings.empty() != idmap.gidMappings.empty()) bad(q, "uidMappings and gidMappings must both be empty or both be given");
    out.idmap = std::move(idmap);
  }
  return out;
}

PlanDevice device(const json& d, const std::string& p) {
  if (!d.is_object()) bad(p, "expected an object");
  PlanDevice out;
  out.path = str(d, "path", p);
  if (!absolute(out.path)) bad(sub(p, "path"), "must be absolute");
  std::string t = str(d, "type", p);
  if (t != "c" && t != "b" && t != "p" && t != "u") bad(sub(p, "type"), "expected one of c, b, p, u");
  out.type = t[0];
  out.major = uint32_t(integer(d, "major", p, 0, kU32));
  out.minor = uint32_t(integer(d, "minor", p, 0, kU32));
  out.fileMode = uint32_t(integer(d, "fileMode", p, 0, 07777));
  out.uid = uint32_t(integer(d, "uid", p, 0, kU32));
  out.gid = uint32_t(integer(d, "gid", p, 0, kU32));
  return out;
}

std::vector<PlanHook> hooks(const json& obj, const char* key, const std::string& path) {
  const json& a = array(obj, key, path);
  std::vector<PlanHook> out;
  for (size_t i = 0; i < a.size(); i++) {
    std::string p = idx(sub(path, key), i);
    if (!a[i].is_object()) bad(p, "expected an object");
    PlanHook h;
    h.path = str(a[i], "path", p);
    if (!absolute(h.path)) bad(sub(p, "path"), "must be absolute");
    h.args = strings(a[i], "args", p);
    if (h.args.empty()) bad(sub(p, "args"), "must not be empty");
    h.env = strings(a[i], "env", p);
    const json& t = field(a[i], "timeout", p);
    if (!t.is_null()) h.timeout = integer(t, sub(p, "timeout"), 1, std::numeric_limits<int64_t>::max());
    out.push_back(std::move(h));
  }
  return out;
}

PlanHookState hook_state(const json& obj, const std::string& p) {
  PlanHookState out;
  out.ociVersion = str(obj, "ociVersion", p);
  out.bundle = str(obj, "bundle", p);
  const json& ann = object(obj, "annotations", p);
  for (auto it = ann.begin(); it != ann.end(); ++it)
    out.annotations.emplace_back(it.key(), str(it.value(), sub(sub(p, "annotations"), it.key().c_str())));
  return out;
}

}  // namespace

PlanProcess decode_process(const json& obj, const std::string& p) {
  if (!obj.is_object()) bad(p, "expected an object");
  PlanProcess out;
  out.args = strings(obj, "args", p);
  if (out.args.empty()) bad(sub(p, "args"), "must not be empty");
  out.env = strings(obj, "env", p);
  out.setHome = boolean(obj, "setHome", p);
  out.cwd = str(obj, "cwd", p);
  if (!absolute(out.cwd)) bad(sub(p, "cwd"), "must be absolute");
  out.uid = uint32_t(integer(obj, "uid", p, 0, kU32));
  out.gid = uint32_t(integer(obj, "gid", p, 0, kU32));
  const json& groups = array(obj, "additionalGids", p);
  for (size_t i = 0; i < groups.size(); i++)
    out.additionalGids.push_back(uint32_t(integer(groups[i], idx(sub(p, "additionalGids"), i), 0, kU32)));
  const json& um = field(obj, "umask", p);
  if (!um.is_null()) out.umask = uint32_t(integer(um, sub(p, "umask"), 0, 0777));
  const json& rl = array(obj, "rlimits", p);
  for (size_t i = 0; i < rl.size(); i++) {
    std::string q = idx(sub(p, "rlimits"), i);
    if (!rl[i].is_object()) bad(q, "expected an object");
    out.rlimits.push_back({int(integer(rl[i], "resource", q, 0, 63)), decimal_u64(rl[i], "soft", q), decimal_u64(rl[i], "hard", q)});
  }
  const json& oom = field(obj, "oomScoreAdj", p);
  if (!oom.is_null()) out.oomScoreAdj = int(integer(oom, sub(p, "oomScoreAdj"), -1000, 1000));
  out.noNewPrivileges = boolean(obj, "noNewPrivileges", p);
  const json& caps = field(obj, "capabilities", p);
  if (!caps.is_null()) {
    std::string q = sub(p, "capabilities");
    if (!caps.is_object()) bad(q, "expected an object or null");
    PlanCapabilities c;
    c.bounding = ints(caps, "bounding", q, 0, 63);
    c.effective = ints(caps, "effective", q, 0, 63);
    c.permitted = ints(caps, "permitted", q, 0, 63);
    c.inheritable = ints(caps, "inheritable", q, 0, 63);
    c.ambient = ints(caps, "ambient", q, 0, 63);
    out.capabilities = std::move(c);
  }
  out.terminal = boolean(obj, "terminal", p);
  const json& cs = field(obj, "consoleSize", p);
  if (!cs.is_null()) {
    std::string q = sub(p, "consoleSize");
    if (!cs.is_object()) bad(q, "expected an object or null");
    out.consoleSize = ConsoleSize{uint16_t(integer(cs, "height", q, 0, 65535)), uint16_t(integer(cs, "width", q, 0, 65535))};
  }
  out.scheduler = decode_scheduler(obj, "scheduler", p);
  const json& io = field(obj, "ioPriority", p);
  if (!io.is_null()) out.ioPriority = int(integer(io, sub(p, "ioPriority"), 0, (3 << 13) | 7));
  out.apparmorProfile = opt_str(obj, "apparmorProfile", p);
  out.selinuxLabel = opt_str(obj, "selinuxLabel", p);
  return out;
}

void check_namespace_type(const std::string& type, const std::string& path) {
  static const char* const kTypes[] = {"pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"};
  for (const char* t : kTypes)
    if (type == t) return;
  bad(path, "unknown namespace type \"" + type + "\"");
}

const PlanNamespace* Plan::find_namespace(const std::string& type) const {
  for (const auto& ns : namespaces)
    if (ns.type == type) return &ns;
  return nullptr;
}

bool Plan::creates(const std::string& type) const {
  const PlanNamespace* ns = find_namespace(type);
  return ns && !ns->path;
}

Plan decode_plan(const json& j) {
  if (!j.is_object()) bad("plan", "expected an object");
  const std::string p;
  Plan plan;
  plan.version = int(integer(j, "version", p, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
  if (plan.version != kPlanVersion)
    bad("version", "unsupported plan version " + std::to_string(plan.version) + " (runts-init speaks " + std::to_string(kPlanVersion) + ")");
  plan.id = str(j, "id", p);
  plan.rootfs = str(j, "rootfs", p);
  if (!absolute(plan.rootfs)) bad("rootfs", "must be absolute");
  plan.readonlyRootfs = boolean(j, "readonlyRootfs", p);
  plan.rootfsPropagation = static_cast<unsigned long>(integer(j, "rootfsPropagation", p, 0, kU32));
  plan.rootPropagation = static_cast<unsigned long>(integer(j, "rootPropagation", p, 0, kU32));
  plan.noPivot = boolean(j, "noPivot", p);

  const json& nss = array(j, "namespaces", p);
  for (size_t i = 0; i < nss.size(); i++) {
    std::string q = idx("namespaces", i);
    if (!nss[i].is_object()) bad(q, "expected an object");
    PlanNamespace ns{str(nss[i], "type", q), opt_str(nss[i], "path", q)};
    check_namespace_type(ns.type, sub(q, "type"));
    plan.namespaces.push_back(std::move(ns));
  }
  plan.uidMappings = id_mappings(j, "uidMappings", p);
  plan.gidMappings = id_mappings(j, "gidMappings", p);
  const json& offs = array(j, "timeOffsets", p);
  for (size_t i = 0; i < offs.size(); i++) {
    std::string q = idx("timeOffsets", i);
    if (!offs[i].is_object()) bad(q, "expected an object");
    PlanTimeOffset o{str(offs[i], "clock", q), integer(offs[i], "secs", q, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()),
                     integer(offs[i], "nanosecs", q, 0, 999999999)};
    if (o.clock != "monotonic" && o.clock != "boottime") bad(sub(q, "clock"), "expected \"monotonic\" or \"boottime\"");
    plan.timeOffsets.push_back(o);
  }
  const json& ms = array(j, "mounts", p);
  for (size_t i = 0; i < ms.size(); i++) plan.mounts.push_back(mount(ms[i], idx("mounts", i)));
  plan.setupDevLinks = boolean(j, "setupDevLinks", p);
  const json& ds = array(j, "devices", p);
  for (size_t i = 0; i < ds.size(); i++) plan.devices.push_back(device(ds[i], idx("devices", i)));
  plan.bindDevices = boolean(j, "bindDevices", p);
  plan.hostname = opt_str(j, "hostname", p);
  plan.domainname = opt_str(j, "domainname", p);
  const json& sc = array(j, "sysctl", p);
  for (size_t i = 0; i < sc.size(); i++) {
    std::string q = idx("sysctl", i);
    if (!sc[i].is_object()) bad(q, "expected an object");
    plan.sysctl.push_back({str(sc[i], "key", q), str(sc[i], "value", q)});
  }
  plan.maskedPaths = strings(j, "maskedPaths", p);
  plan.readonlyPaths = strings(j, "readonlyPaths", p);
  plan.maskDirData = str(j, "maskDirData", p);
  plan.personality = decode_personality(j, "personality", p);
  plan.memoryPolicy = decode_memory_policy(j, "memoryPolicy", p);
  plan.process = decode_process(object(j, "process", p), "process");
  plan.execFifo = str(j, "execFifo", p);
  if (!absolute(plan.execFifo)) bad("execFifo", "must be absolute");
  plan.consoleSocket = opt_str(j, "consoleSocket", p);
  plan.foreground = boolean(j, "foreground", p);
  plan.preserveFds = int(integer(j, "preserveFds", p, 0, 1 << 20));
  plan.noNewKeyring = boolean(j, "noNewKeyring", p);
  plan.pauseForRuntimeHooks = boolean(j, "pauseForRuntimeHooks", p);
  plan.createContainerHooks = hooks(j, "createContainerHooks", p);
  plan.startContainerHooks = hooks(j, "startContainerHooks", p);
  plan.hookState = hook_state(object(j, "hookState", p), "hookState");
  plan.seccomp = decode_seccomp(j, "seccomp", p);
  plan.cgroupProcs = strings(j, "cgroupProcs", p);
  for (size_t i = 0; i < plan.cgroupProcs.size(); i++)
    if (!absolute(plan.cgroupProcs[i])) bad(idx("cgroupProcs", i), "must be absolute");
  plan.cloneIntoCgroup = opt_str(j, "cloneIntoCgroup", p);
  if (plan.cloneIntoCgroup && !absolute(*plan.cloneIntoCgroup)) bad("cloneIntoCgroup", "must be absolute");
  return plan;
}

}  // namespace runts
