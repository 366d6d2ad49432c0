// HOME for the container process, from the container's /etc/passwd: what
// runc does when process.env has no HOME (PlanProcess.setHome), for the
// container init (child.cc) and for an exec (exec_parent.cc) alike.
#pragma once

#include <cstdint>
#include <string>

#include "../common/plan.h"

namespace runts::init {

// The home directory of `uid` in /etc/passwd, read in the current root (the
// container's, by the time this is called); "/" when the file, the entry or
// its home field is missing.
std::string home_of(uint32_t uid);

// With proc.setHome, appends HOME=home_of(proc.uid) to proc.env.
void set_home(PlanProcess& proc);

}  // namespace runts::init
