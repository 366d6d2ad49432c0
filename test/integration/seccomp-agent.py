#!/usr/bin/env python3
# A minimal seccomp agent for the tests: listens on argv[1] (SOCK_STREAM),
# and for each connection records the container process state it receives
# (one JSON line per connection in argv[2]) and takes the SCM_RIGHTS fd. It
# answers every notification on those fds with -errno argv[3], and appends
# "<syscall nr> <pid>" to argv[2] + ".calls". Prints "listening" once ready.
import array, fcntl, json, os, select, socket, struct, sys

path, out, err = sys.argv[1], sys.argv[2], int(sys.argv[3])
NOTIF_RECV = 0xC0502100  # SECCOMP_IOWR(0, struct seccomp_notif), 80 bytes
NOTIF_SEND = 0xC0182101  # SECCOMP_IOWR(1, struct seccomp_notif_resp), 24 bytes

srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(8)
print("listening", flush=True)
poller = select.poll()
poller.register(srv.fileno(), select.POLLIN)
while True:
    for fd, ev in poller.poll():
        if fd == srv.fileno():
            conn, _ = srv.accept()
            data, anc = b"", []
            while True:
                chunk, a, _, _ = conn.recvmsg(65536, socket.CMSG_SPACE(4 * 4))
                anc += a
                if not chunk:
                    break
                data += chunk
            conn.close()
            got = array.array("i")
            for level, kind, payload in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    got.frombytes(payload[: len(payload) - len(payload) % 4])
            with open(out, "a") as f:
                f.write(json.dumps({"doc": json.loads(data), "nfds": len(got)}) + "\n")
            for g in got:
                poller.register(g, select.POLLIN)
        elif ev & select.POLLIN:
            buf = bytearray(80)
            try:
                fcntl.ioctl(fd, NOTIF_RECV, buf, True)
            except OSError:
                continue  # the caller died meanwhile
            nid, pid, _flags, nr = struct.unpack_from("<QIIi", buf)
            with open(out + ".calls", "a") as f:
                f.write(f"{nr} {pid}\n")
            try:
                fcntl.ioctl(fd, NOTIF_SEND, bytearray(struct.pack("<QqiI", nid, 0, -err, 0)), True)
            except OSError:
                pass
        else:
            # POLLHUP: every process of that filter has exited.
            poller.unregister(fd)
            os.close(fd)
