# The app for check D of tests/container/run.sh: drainit as the engine's own
# init (podman run --init --init-path=...) in an image that has no drainit.
# Given as python3 -c. It writes to stderr, drainit's pipe, so that its
# lines and drainit's keep their order in podman logs.
#   - It makes an orphan: a child that forks a grandchild and exits at once.
#     The grandchild, once the kernel has given it to PID 1 (drainit), says
#     so with its pid and exits: only PID 1 can reap it now, so a zombie of
#     that pid would be drainit's fault.
#   - SIGUSR1 (podman kill --signal USR1, forwarded by drainit): a log line
#     and the file /tmp/usr1.
#   - SIGTERM (podman stop, forwarded by drainit): exits 42, a status only
#     the app itself produces (podman's SIGKILL would give 137).
import os
import signal
import sys
import time


def say(text):
    print("app: " + text, file=sys.stderr, flush=True)


def on_usr1(signum, frame):
    with open("/tmp/usr1", "a") as f:
        f.write("SIGUSR1\n")
    say("SIGUSR1 received")


def on_term(signum, frame):
    say("SIGTERM: exit 42")
    sys.exit(42)


signal.signal(signal.SIGUSR1, on_usr1)
signal.signal(signal.SIGTERM, on_term)

child = os.fork()
if child == 0:
    if os.fork() == 0:
        # The grandchild: orphaned when its parent exits, just below.
        end = time.monotonic() + 10
        while os.getppid() != 1 and time.monotonic() < end:
            time.sleep(0.01)
        say("orphan pid %d: parent now pid %d; exiting" % (os.getpid(), os.getppid()))
        os._exit(0)
    os._exit(0)
os.waitpid(child, 0)  # the app reaps its own child; the grandchild is PID 1's
say("running as pid %d" % os.getpid())
while True:
    signal.pause()
