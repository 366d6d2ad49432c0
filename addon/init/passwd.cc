#include "passwd.h"

#include <cstdlib>
#include <vector>

#include "util.h"

namespace runts::init {

std::string home_of(uint32_t uid) {
  std::string text;
  if (!read_file("/etc/passwd", text)) return "/";
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    // name:password:uid:gid:gecos:home:shell
    std::vector<std::string> f;
    size_t i = 0;
    for (;;) {
      size_t j = line.find(':', i);
      f.push_back(line.substr(i, j == std::string::npos ? std::string::npos : j - i));
      if (j == std::string::npos) break;
      i = j + 1;
    }
    if (f.size() < 6 || f[2].empty() || f[2].find_first_not_of("0123456789") != std::string::npos) continue;
    if (strtoul(f[2].c_str(), nullptr, 10) == uid && !f[5].empty()) return f[5];
  }
  return "/";
}

void set_home(PlanProcess& proc) {
  if (proc.setHome) proc.env.push_back("HOME=" + home_of(proc.uid));
}

}  // namespace runts::init
