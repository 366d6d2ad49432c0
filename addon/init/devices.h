// Device nodes and the standard /dev links, created inside the rootfs
// (before the root switch) through fds resolved in the root.
#pragma once

#include "../common/plan.h"

namespace runts::init {

// mknod each plan device (replacing what is there), owned and moded exactly
// as planned; with bindDevices, or when mknod is refused (EPERM: user
// namespace), an empty file with the host's node bind-mounted onto it.
void create_devices(const Plan& plan, int rootfd);

// /dev/fd, /dev/std{in,out,err}, /dev/core (if the host has /proc/kcore) and
// /dev/ptmx -> pts/ptmx.
void setup_dev_links(int rootfd);

}  // namespace runts::init
