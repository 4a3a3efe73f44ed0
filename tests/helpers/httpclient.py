#!/usr/bin/env python3
"""httpclient.py: clients for drainit's --ready-http in the tests.

  httpclient.py raw PORT BYTES [--half-close] [--host H]
      sends BYTES (Python escapes: 'GET / HTTP/1.1\\r\\n\\r\\n', '\\x00'),
      with --half-close then shuts down its sending side, and reads until the
      server closes (3 s at most). Prints the status line, or "closed" when
      the server closed without a word, or "timeout".
  httpclient.py flood PORT N SECONDS READYFILE
      keeps N connections open that trickle a request that never ends (one
      header byte every 0.2 s), opening a new one whenever the server drops
      one, for SECONDS. Writes "holding N" to READYFILE once N are open and
      have been sent to once (then "dropped K" each second: how many the
      server dropped so far), and "done opened=O dropped=D" at the end.
  httpclient.py get PORT PATH
      one GET; prints "CODE MS" (the status and how long it took), or
      "error MS WHY".
  httpclient.py gets PORT PATH N
      N GETs one after the other, as a kubelet's httpGet probe sends them;
      prints "http I NS" (tab-separated) for each; exits 1 at the first
      answer that is not 200.
  httpclient.py haproxy-stat SOCKET BACKEND SERVER
      the server's status in HAProxy's "show stat" (UP, DOWN, ...), asked on
      its admin socket.
"""
import resource
import select
import socket
import sys
import time


def read_all(s):
    """Everything the peer sends until it closes."""
    got = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return got
        got += chunk


def connect(port, host="127.0.0.1", timeout=3.0):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((host, port))
    return s


def raw(port, data, half_close, host):
    s = connect(port, host)
    s.sendall(data)
    if half_close:
        s.shutdown(socket.SHUT_WR)
    try:
        got = read_all(s)
    except socket.timeout:
        print("timeout")
        return
    except ConnectionResetError:
        got = b""
    print(got.split(b"\r\n")[0].decode("latin-1") if got else "closed")


def get(port, path):
    t0 = time.monotonic()
    try:
        s = connect(port, timeout=5.0)
        s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path).encode())
        got = read_all(s)
        ms = (time.monotonic() - t0) * 1000
        print("%s %.0f" % (got.split(b" ")[1].decode() if got else "closed", ms))
    except OSError as e:
        print("error %.0f %s" % ((time.monotonic() - t0) * 1000, e))


def gets(port, path, n):
    request = ("GET %s HTTP/1.1\r\nHost: pod\r\nUser-Agent: kube-probe/1.29\r\n"
               "Accept: */*\r\nConnection: close\r\n\r\n" % path).encode()
    for i in range(1, n + 1):
        t0 = time.monotonic_ns()
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(request)
        got = read_all(s)
        s.close()
        if not got.startswith(b"HTTP/1.1 200 "):
            sys.exit("httpclient: GET %d: %r" % (i, got[:40]))
        print("http\t%d\t%d" % (i, time.monotonic_ns() - t0))


def haproxy_stat(path, backend, server):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.sendall(b"show stat\n")
    for line in read_all(s).decode().splitlines():
        f = line.split(",")
        if len(f) > 17 and f[0] == backend and f[1] == server:
            print(f[17].split(" ")[0])


def flood(port, n, seconds, readyfile):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = n + 64
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(want, soft), max(want, hard)))
    poller = select.poll()
    conns = {}  # fd: [socket, bytes sent so far]
    opened = dropped = 0

    def open_one():
        nonlocal opened
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        opened += 1
        conns[s.fileno()] = [s, 0]
        poller.register(s, select.POLLIN)

    for _ in range(n):
        open_one()
    announced = False
    end = time.monotonic() + seconds
    next_trickle = time.monotonic()
    next_report = time.monotonic() + 1
    while time.monotonic() < end:
        # readable means dropped (EOF, a reset) or answered: done with it
        for fd, _ in poller.poll(50):
            c = conns.pop(fd, None)
            if c:
                poller.unregister(fd)
                c[0].close()
                dropped += 1
        while len(conns) < n:
            open_one()
        now = time.monotonic()
        if now >= next_trickle:
            for c in conns.values():
                part = b"GET /ready HTTP/1.1\r\nX-Slow: " if c[1] == 0 else b"a"
                try:
                    c[1] += c[0].send(part)
                except OSError:
                    pass  # not connected yet
            next_trickle = now + 0.2
        if not announced and opened >= n and now >= next_trickle - 0.15:
            with open(readyfile, "a") as f:
                f.write("holding %d\n" % len(conns))
            announced = True
        if now >= next_report:
            with open(readyfile, "a") as f:
                f.write("dropped %d\n" % dropped)
            next_report = now + 1
    with open(readyfile, "a") as f:
        f.write("done opened=%d dropped=%d\n" % (opened, dropped))


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    if argv[1] == "haproxy-stat" and len(argv) == 5:
        haproxy_stat(argv[2], argv[3], argv[4])
        return
    mode, port = argv[1], int(argv[2])
    if mode == "raw":
        host = "127.0.0.1"
        if "--host" in argv:
            host = argv[argv.index("--host") + 1]
        data = argv[3].encode("latin-1").decode("unicode_escape").encode("latin-1")
        raw(port, data, "--half-close" in argv, host)
    elif mode == "flood":
        flood(port, int(argv[3]), float(argv[4]), argv[5])
    elif mode == "get":
        get(port, argv[3])
    elif mode == "gets":
        gets(port, argv[3], int(argv[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
