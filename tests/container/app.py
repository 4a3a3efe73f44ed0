# The app for the exit-status run of tests/container/run.sh, given to the
# image as its CMD (python3 -c). It starts slowly (2 s before it listens), so
# that the probe is caught saying "starting", and on SIGTERM it finishes its
# work for 1 s and exits 42: a status that only the app itself can produce.
# Podman's SIGKILL would give 137, an app killed by the SIGTERM 143. It
# writes to stderr, the pipe drainit logs to, so that its lines and
# drainit's keep their order in podman logs (stdout is another pipe).
import http.server
import signal
import sys
import time


def on_term(signum, frame):
    print("app: SIGTERM: finishing the work in flight, then exit 42", file=sys.stderr, flush=True)
    time.sleep(1)
    sys.exit(42)


signal.signal(signal.SIGTERM, on_term)
time.sleep(2)
server = http.server.HTTPServer(("", 8080), http.server.SimpleHTTPRequestHandler)
print("app: listening on port 8080", file=sys.stderr, flush=True)
server.serve_forever()
