# A console socket as containerd and conmon run one: accept one connection,
# receive one fd (the pty master) with SCM_RIGHTS and the pty name as the
# payload, then print everything read from the master until the slave closes.
import os
import socket
import sys

path = sys.argv[1]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
print("listening", flush=True)
conn, _ = srv.accept()
msg, fds, _flags, _addr = socket.recv_fds(conn, 4096, 4)
print("name=" + msg.decode(), flush=True)
print("fds=%d" % len(fds), flush=True)
out = b""
while True:
    try:
        data = os.read(fds[0], 4096)
    except OSError:
        break  # EIO: every slave fd is closed
    if not data:
        break
    out += data
print("output=" + out.decode().replace("\r", "").replace("\n", "|"), flush=True)
