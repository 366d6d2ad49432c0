#include "mountinfo.h"

#include <sstream>

#include "../common/errors.h"
#include "util.h"

namespace runts::init {

// Fields escape space, tab, newline and backslash as \ooo.
static std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      int v = 0;
      bool ok = true;
      for (size_t k = 1; k <= 3; k++) {
        char c = s[i + k];
        if (c < '0' || c > '7') ok = false;
        v = v * 8 + (c - '0');
      }
      if (ok) {
        out += static_cast<char>(v);
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::vector<MountInfo> read_mountinfo() {
  std::string text;
  if (!read_file("/proc/self/mountinfo", text)) fail("read", "/proc/self/mountinfo");
  std::vector<MountInfo> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    // id parent major:minor root mount_point options [optional...] - fstype source super
    std::istringstream f(line);
    std::string id, parent, dev, root, mp, opts, tok;
    if (!(f >> id >> parent >> dev >> root >> mp >> opts)) continue;
    MountInfo m;
    m.root = unescape(root);
    m.mount_point = unescape(mp);
    while (f >> tok && tok != "-") m.optional += (m.optional.empty() ? "" : " ") + tok;
    f >> m.fstype >> m.source >> m.super_options;
    m.source = unescape(m.source);
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace runts::init
