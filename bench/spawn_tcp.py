#!/usr/bin/env python3
# What Postfix's spawn(8) does for a stdin/stdout policy server: one process per connection,
# the socket as its stdin and stdout. Used to put postfix-policyd-spf-python on a TCP port.
import os
import signal
import socket
import sys

port, cmd = int(sys.argv[1]), sys.argv[2:]
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(64)
while True:
    conn, _ = srv.accept()
    if os.fork() == 0:
        srv.close()
        os.dup2(conn.fileno(), 0)
        os.dup2(conn.fileno(), 1)
        os.execvp(cmd[0], cmd)
    conn.close()
