#include "errors.h"

#include <cstring>

namespace runts {

std::string StepError::format(const std::string& step, const std::string& target, int err, const std::string& reason) {
  std::string why = !reason.empty() ? reason : err != 0 ? std::string(strerror(err)) : std::string("failed");
  std::string out = step;
  if (!target.empty()) out += ": " + target;
  return out + ": " + why;
}

void fail(const std::string& step, const std::string& target) { throw StepError(step, target, errno); }

void fail(const std::string& step, const std::string& target, int err, const std::string& reason) {
  throw StepError(step, target, err, reason);
}

}  // namespace runts
