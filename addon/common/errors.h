// A failed step, carried as an exception inside runts-init and reported to
// runts as {"type":"error", step, target, errno, message}. The message is
// always "<step>: <target>: <reason>" (target omitted when empty), where the
// reason is strerror(errno) unless the step supplied its own.
#pragma once

#include <cerrno>
#include <stdexcept>
#include <string>

namespace runts {

class StepError : public std::runtime_error {
 public:
  StepError(std::string step, std::string target, int err, std::string reason = "")
      : std::runtime_error(format(step, target, err, reason)),
        step_(std::move(step)),
        target_(std::move(target)),
        errno_(err),
        reason_(std::move(reason)) {}

  const std::string& step() const { return step_; }
  const std::string& target() const { return target_; }
  int err() const { return errno_; }
  const std::string& reason() const { return reason_; }

  static std::string format(const std::string& step, const std::string& target, int err, const std::string& reason);

 private:
  std::string step_;
  std::string target_;
  int errno_;
  std::string reason_;
};

// Throws StepError for the current errno: call right after the failing syscall.
[[noreturn]] void fail(const std::string& step, const std::string& target);
// Throws StepError with an explicit errno (0: not a syscall failure) and reason.
[[noreturn]] void fail(const std::string& step, const std::string& target, int err, const std::string& reason = "");

}  // namespace runts
