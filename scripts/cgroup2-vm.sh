#!/bin/bash
# Runs a command on a pure cgroup v2 host: a Debian kernel booted under
# qemu, with every v1 controller off (cgroup_no_v1=all) and cgroup2 mounted
# at /sys/fs/cgroup with cpuset, cpu, io, memory, hugetlb, pids, rdma and
# misc enabled at the root. The development machine is a cgroup v1 hybrid,
# so this is how runts' v2 code runs end to end there (issue 3).
#
# The guest sees this machine's root file system read-only through 9p, with
# a tmpfs over it (overlayfs), so it has the same node, busybox, runc and
# repository; nothing it writes reaches the host except the output
# directory. It runs the command in the repository as root, in the root
# cgroup, and powers off; the script exits with the command's status.
#
#   scripts/cgroup2-vm.sh                      the cgroup integration tests
#   scripts/cgroup2-vm.sh npm run test:unit    any command
#
# Needs qemu-system-x86 and linux-image-amd64 (scripts/install-deps.sh).
# KVM is used when /dev/kvm works, else TCG (software: slower, same kernel).
# RUNTS_VM_MEM (MiB, default 4096), RUNTS_VM_CPUS (default: nproc),
# RUNTS_VM_OUT (keep the guest's output directory there).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -eq 0 ]; then
  set -- node --import tsx --test --test-concurrency=1 --test-reporter=spec test/integration/cgroups.test.ts
fi

die() { echo "cgroup2-vm: $*" >&2; exit 2; }
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found: apt-get install qemu-system-x86"
kernel=$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1 || true)
[ -n "$kernel" ] || die "no kernel in /boot: apt-get install linux-image-amd64"
kver=${kernel#/boot/vmlinuz-}
moddir=/lib/modules/$kver/kernel
[ -d "$moddir" ] || die "no modules for $kver in /lib/modules"
busybox=$(command -v busybox) || die "busybox not found: apt-get install busybox-static"
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' || [ ! -x /usr/bin/file ] || die "$busybox is not static: apt-get install busybox-static"

work=$(mktemp -d /tmp/runts-vm.XXXXXX)
out=${RUNTS_VM_OUT:-$work/out}
mkdir -p "$out"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

# The initramfs: static busybox, the modules for virtio 9p and overlayfs
# (in dependency order), and /init.
ird=$work/initramfs
mkdir -p "$ird"/{bin,dev,proc,sys,mods,newroot,host,out}
cp "$busybox" "$ird/bin/busybox"
mods="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p overlay"
for m in $mods; do
  f=$(find "$moddir" -name "$m.ko*" | head -1)
  [ -n "$f" ] || continue # built in
  case "$f" in
    *.xz) xz -dc "$f" >"$ird/mods/$m.ko" ;;
    *.zst) zstd -qdc "$f" >"$ird/mods/$m.ko" ;;
    *) cp "$f" "$ird/mods/$m.ko" ;;
  esac
done

# The command, quoted for the guest's shell.
cmd=""
for a in "$@"; do cmd+=" $(printf '%q' "$a")"; done
cat >"$ird/run.sh" <<EOF
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 CI=$(printf %q "${CI:-}")
unset NODE_EXTRA_CA_CERTS
cd $(printf '%q' "$repo")
echo "cgroup2-vm: \$(uname -r), \$(stat -fc %T /sys/fs/cgroup) at /sys/fs/cgroup, controllers: \$(cat /sys/fs/cgroup/cgroup.subtree_control)"
$cmd
EOF

# Where the repository is, for the guest's init (its /tmp and /run are fresh tmpfs).
printf '%s\n' "$repo" >"$ird/repo"

cat >"$ird/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p overlay; do
  [ -f /mods/$m.ko ] && insmod /mods/$m.ko
done
fail() { echo "cgroup2-vm guest: $*"; echo 3 >/out/rc 2>/dev/null; poweroff -f; }
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose host /host || fail "9p mount of the host root"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out /out || fail "9p mount of the output directory"
mount -t tmpfs -o size=75% tmpfs /mods
mkdir -p /mods/upper /mods/work
mount -t overlay -o lowerdir=/host,upperdir=/mods/upper,workdir=/mods/work overlay /newroot || fail "overlay root"
mount -t proc proc /newroot/proc
mount -t sysfs sysfs /newroot/sys
mount -t devtmpfs devtmpfs /newroot/dev
mkdir -p /newroot/dev/pts /newroot/dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /newroot/dev/pts
mount -t tmpfs tmpfs /newroot/dev/shm
mount -t cgroup2 -o nsdelegate cgroup2 /newroot/sys/fs/cgroup || fail "cgroup2 mount"
for c in $(cat /newroot/sys/fs/cgroup/cgroup.controllers); do echo "+$c" >/newroot/sys/fs/cgroup/cgroup.subtree_control; done
mount -t tmpfs -o mode=1777 tmpfs /newroot/tmp
mount -t tmpfs -o mode=755 tmpfs /newroot/run
# A repository under /tmp or /run (a fresh clone in /tmp) would be hidden by
# those: it gets a writable overlay of its own at the same path.
repo=$(cat /repo)
case "$repo" in
  /tmp/*|/run/*)
    mkdir -p /mods/repo-upper /mods/repo-work "/newroot$repo"
    mount -t overlay -o "lowerdir=/host$repo,upperdir=/mods/repo-upper,workdir=/mods/repo-work" overlay "/newroot$repo" || fail "overlay of the repository $repo" ;;
esac
mkdir -p /newroot/out
mount --move /out /newroot/out
mkdir -p /newroot/dev/hugepages; mount -t hugetlbfs none /newroot/dev/hugepages 2>/dev/null || true
cp /run.sh /newroot/run.sh
hostname cgroup2-vm
# switch_root, not chroot: the kernel refuses CLONE_NEWUSER to a chrooted
# process, and the tests make user namespaces. The new root's init (bash,
# which reaps what is reparented to it) runs the command and powers off.
cat >/newroot/guest-init.sh <<'INIT'
set -o pipefail
bash /run.sh 2>&1 | tee /out/log
echo $? >/out/rc
sync
busybox poweroff -f
INIT
exec switch_root /newroot /bin/bash /guest-init.sh
EOF
chmod +x "$ird/init"
(cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.gz"

accel=tcg
cpu=max
if [ -w /dev/kvm ] && [ -z "${RUNTS_VM_TCG:-}" ]; then
  # Nested KVM on some clouds accepts the ioctl but cannot run a guest:
  # probe with a guest that must halt at once.
  if timeout 10 qemu-system-x86_64 -accel kvm -cpu host,-arch-capabilities -M microvm -nodefaults -no-user-config -display none -kernel "$kernel" -append "panic=-1 console=none" -m 128 -no-reboot >/dev/null 2>&1; then
    accel=kvm
    cpu=host,-arch-capabilities
  fi
fi
echo "cgroup2-vm: booting $kver with $accel (command:$cmd)" >&2
set +e
timeout "${RUNTS_VM_TIMEOUT:-3600}" qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -M q35 -smp "${RUNTS_VM_CPUS:-$(nproc)}" -m "${RUNTS_VM_MEM:-4096}" \
  -nodefaults -no-user-config -display none -serial stdio -no-reboot \
  -kernel "$kernel" -initrd "$work/initramfs.gz" \
  -append "console=ttyS0 quiet panic=-1 cgroup_no_v1=all hugepages=64 rdinit=/init" \
  -virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
  -virtfs local,path="$out",mount_tag=out,security_model=none,multidevs=remap \
  | sed -u '/^\[ *[0-9.]*\] /d'
qrc=${PIPESTATUS[0]}
set -e
[ -f "$out/rc" ] || die "the guest did not report a status (qemu exit $qrc)"
exit "$(cat "$out/rc")"
