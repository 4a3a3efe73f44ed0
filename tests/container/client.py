# A client in the app container's network namespace (podman run --network
# container:APP), for tests/container/run.sh: GET http://127.0.0.1:8080/ every
# 0.25 s, one line per request with a UTC timestamp in drainit's log format,
# so that its lines compare with drainit's. Ends after 3 failures in a row
# once a request has succeeded, or after 120 s.
import datetime
import time
import urllib.request


def now():
    t = datetime.datetime.now(datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


answered = failed = 0
end = time.monotonic() + 120
while time.monotonic() < end:
    try:
        with urllib.request.urlopen("http://127.0.0.1:8080/", timeout=1) as r:
            print(now(), "client: HTTP", r.status, flush=True)
        answered += 1
        failed = 0
    except Exception as e:
        print(now(), "client: failed:", e, flush=True)
        failed += 1
        if answered and failed >= 3:
            break
    time.sleep(0.25)
