#!/usr/bin/env python3
"""make e2e-engine: make e2e's rolling termination with the real parts.

Started by tests/e2e/engine.sh, which builds the images and removes every
container, image and temporary folder afterwards; docs/e2e.md tells what it
models. The differences from make e2e (tests/e2e/e2e.py, whose load
generator, records and table this reuses):

  pods             podman containers (--network host, a port each) of the
                   image Dockerfile.example builds, with the e2e app, tini,
                   dumb-init and the bash wrapper added; started with
                   `podman run`, deleted with `podman stop -t GRACE` (the
                   image's STOPSIGNAL, as the engine sends it), removed after.
  kubelet          a probe loop per pod, every --period with --timeout and
                   --failures: `podman exec POD drainit probe` for drainit
                   (the exec probe through the engine), GET /ready on
                   drainit's --ready-http port for drainit-http, GET /healthz
                   on the app for the others (an httpGet probe on the app).
  load balancer    HAProxy: round robin, `retries 0`, no redispatch, one
                   server slot per pod; an endpoints controller puts a slot
                   in rotation (`set server app/sN addr ... state ready` on the
                   admin socket) once its pod is ready, and out (`state
                   maint`) when the pod is deleted or turns unready, after
                   --lag plus a seeded jitter. Every failure is classified from
                   HAProxy's status and its log's termination state.

Output: the table of make e2e, and results.json (one object per
configuration: config, wrapper, entrypoint, probe, sent, lost, ok_run, and
the kinds), plus the exec probes' wall times.
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402  (the load generator, records, table)
from e2e import ScenarioError, mono  # noqa: E402

IMAGE = os.environ.get("E2E_ENGINE_IMAGE", "localhost/drainit-e2e:engine")
PODMAN = os.environ.get("E2E_ENGINE_PODMAN", "podman").split("\x1f")
CGROUP_PARENT = os.environ.get("E2E_ENGINE_CGROUP_PARENT", "")
# config: (entrypoint for podman run, the probe)
CONFIGS = {
    "drainit": ("/usr/local/bin/drainit", "exec"),
    "drainit-http": ("/usr/local/bin/drainit", "http"),
    "tini": ("/e2e/tini-static", "app"),
    "dumb-init": ("/e2e/dumb-init", "app"),
    "none": (None, "app"),
}
ENTRIES = ("app", "bash")


class HAProxy:
    """The load balancer, with the same add/remove as make e2e's."""

    def __init__(self, sc, slots):
        self.sc = sc
        self.slots = slots
        self.port = None
        self.proc = None
        self.sock = os.path.join(sc.dir, "haproxy.sock")
        self.cfgfile = os.path.join(sc.dir, "haproxy.cfg")
        self.logfile = os.path.join(sc.dir, "haproxy.log")
        self.term = {}  # request number: (status, termination state, server)
        self.pending = set()  # admin commands under way

    async def start(self):
        self.port = self.sc.cfg.ports.take()
        cfg = self.sc.cfg
        server_timeout = cfg.req_max + int(e2e.RESPONSE_TIMEOUT * 1000)
        with open(self.cfgfile, "w") as f:
            f.write(f"""global
    stats socket {self.sock} mode 600 level admin
    log stdout format raw local0
    maxconn 4096
defaults
    mode http
    log global
    log-format "%[capture.req.hdr(0)] %ST %ts %s %Tc %Tr"
    option dontlognull
    retries 0
    no option redispatch
    timeout connect {int(e2e.CONNECT_TIMEOUT * 1000)}
    timeout client {int(e2e.CLIENT_TIMEOUT * 1000)}
    timeout server {server_timeout}
frontend fe
    bind 127.0.0.1:{self.port}
    capture request header X-Req len 12
    default_backend app
backend app
    balance roundrobin
    server-template s 1-{self.slots} 127.0.0.1:9 disabled
""")
        log = open(self.logfile, "wb")
        self.proc = await asyncio.create_subprocess_exec(
            "haproxy", "-db", "-f", self.cfgfile, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=log, start_new_session=True)
        log.close()
        self.reader = asyncio.create_task(self.read_log())
        deadline = mono() + 10
        while not os.path.exists(self.sock):
            if self.proc.returncode is not None or mono() > deadline:
                raise ScenarioError(f"haproxy did not start (see {self.logfile})")
            await asyncio.sleep(0.02)

    async def read_log(self):
        with open(self.logfile + ".requests", "w") as out:
            while True:
                line = await self.proc.stdout.readline()
                if not line:
                    return
                out.write(line.decode(errors="replace"))
                f = line.decode(errors="replace").split()
                if len(f) >= 4 and f[0].isdigit():
                    self.term[int(f[0])] = (f[1], f[2], f[3])

    async def cmd(self, text):
        r, w = await asyncio.open_unix_connection(self.sock)
        w.write(text.encode() + b"\n")
        await w.drain()
        out = await r.read()
        w.close()
        return out.decode(errors="replace").strip()

    def add(self, pod):
        self._track(self._set(pod, f"set server app/s{pod.slot} addr 127.0.0.1 port "
                                             f"{pod.port}", f"set server app/s{pod.slot} state ready",
                                        f"lb: + {pod.name} :{pod.port} (slot s{pod.slot})"))

    def remove(self, pod):
        self._track(self._set(pod, f"set server app/s{pod.slot} state maint", None,
                                        f"lb: - {pod.name} :{pod.port} (slot s{pod.slot})"))

    def _track(self, coro):
        if self.proc is None or self.proc.returncode is not None or self.sc.stopping:
            coro.close()  # the scenario is over: nothing left to route
            return
        task = asyncio.ensure_future(coro)
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def settle(self):
        """Until the admin commands sent so far are carried out."""
        if self.pending:
            await asyncio.gather(*self.pending)

    async def _set(self, pod, first, second, what):
        for c in (first, second):
            if c:
                out = await self.cmd(c)
                if out and "changed" not in out and "no need to change" not in out.lower():
                    self.sc.log(f"lb: {c}: {out}")
        self.sc.log(what)

    async def stop(self):
        if self.proc and self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 5)
            except asyncio.TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        if self.proc:
            await asyncio.gather(self.reader, return_exceptions=True)


def classify(status, state):
    """A failed request's kind from HAProxy's answer and its termination
    state (the first two letters: who ended it, and in what phase)."""
    if status == 503 or state[:2] in ("SC", "sC"):
        return "refused"
    if status == 504 or state[:1] in ("s", "c"):
        return "timeout"
    if status == 502 or state[:2] in ("SH", "SD"):
        return "reset"
    return "other"


class EngineScenario(e2e.Scenario):
    def __init__(self, cfg, init, entry):
        super().__init__(cfg, init, entry)
        self.lb = HAProxy(self, 2 * cfg.pods + 2)
        self.entrypoint, self.probe_kind = CONFIGS[init]
        self.exec_walls = []  # seconds, each exec probe
        self.slot = 0

    def container_name(self, pod):
        return f"{self.cfg.token}-{self.key}-{pod.name}"

    def run_args(self, pod):
        cfg = self.cfg
        name = self.container_name(pod)
        args = ["run", "--detach", "--pull=never", "--systemd=false", "--network", "host",
                "--name", name, "--env", f"{e2e.TOKEN_VAR}={cfg.token}"]
        if CGROUP_PARENT:
            args += ["--cgroup-parent", CGROUP_PARENT]
        if self.init.startswith("drainit"):
            args += ["--env", f"DRAINIT_READY_WHEN=http:{pod.port}/healthz",
                     "--env", "DRAINIT_READY_INTERVAL=100ms",
                     "--env", f"DRAINIT_PRE_STOP_DELAY={cfg.delay}ms",
                     "--env", f"DRAINIT_DRAIN_TIMEOUT={cfg.drain}ms",
                     "--env", f"DRAINIT_GRACE_PERIOD={cfg.grace}ms"]
            if self.init == "drainit-http":
                pod.http_port = cfg.ports.take()
                args += ["--env", f"DRAINIT_READY_HTTP=127.0.0.1:{pod.http_port}"]
        else:
            args += ["--entrypoint", json.dumps([self.entrypoint, "--"] if self.entrypoint else [])]
        app = ["/e2e/app", pod.name, str(pod.port), str(cfg.warmup)]
        if self.entry == "bash":
            app = ["/e2e/wrapper.sh"] + app
        if self.init == "none":
            args += ["--entrypoint", json.dumps(app[:1])]
            app = app[1:]
        return args + [IMAGE] + app

    async def podman(self, *args, timeout=60):
        p = await asyncio.create_subprocess_exec(
            *PODMAN, *args, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT)
        try:
            out, _ = await asyncio.wait_for(p.communicate(), timeout)
        except asyncio.TimeoutError:
            p.kill()
            await p.wait()
            return 124, "timed out"
        return p.returncode, out.decode(errors="replace").strip()

    async def start_pod(self):
        pod = e2e.Pod(f"p{self.count}", self.cfg.ports.take())
        self.count += 1
        self.slot += 1
        pod.slot = self.slot
        pod.http_port = None
        pod.ready_run = False
        self.pods.append(pod)
        pod.t_start = mono()
        rc, out = await self.podman(*self.run_args(pod))
        if rc != 0:
            raise ScenarioError(f"{pod.name}: podman run: {out}")
        pod.proc = await asyncio.create_subprocess_exec(
            *PODMAN, "wait", self.container_name(pod), stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
        pod.exited = asyncio.create_task(self.watch(pod))
        self.log(f"kubelet: started {pod.name} :{pod.port} (container {self.container_name(pod)})")
        return pod

    async def watch(self, pod):
        out, _ = await pod.proc.communicate()
        pod.t_exit = mono()
        try:
            pod.rc = int(out.decode().strip().splitlines()[-1])
        except (ValueError, IndexError):
            pod.rc = -1
        self.ended(pod)
        self.log(f"kubelet: {pod.name}: container ended (exit status {pod.rc})")

    async def probe(self, pod):
        t = self.cfg.probe_timeout / 1000
        if self.probe_kind == "exec":
            t0 = mono()
            rc, _ = await self.podman("exec", self.container_name(pod), "/usr/local/bin/drainit",
                                      "probe", timeout=t)
            self.exec_walls.append(mono() - t0)
            return rc == 0
        port, path = ((pod.http_port, "/ready") if self.probe_kind == "http"
                      else (pod.port, "/healthz"))
        return await e2e.http_get_ok(port, path, t)

    async def wait_ready(self, pod):
        await super().wait_ready(pod)
        asyncio.ensure_future(self.keep_probing(pod))

    async def keep_probing(self, pod):
        """After ready: every period; --failures in a row take the pod out
        of the endpoints (after the lag), as the kubelet and the endpoints
        controller do. Until the pod is deleted: then its deletion does."""
        failed = 0
        while pod.t_term is None and pod.t_end is None and not self.stopping:
            await asyncio.sleep(self.cfg.period / 1000)
            if pod.t_term is not None:
                return
            ok = await self.probe(pod)
            if self.stopping or pod.t_term is not None:
                return  # the scenario or the pod is over: its probes say nothing
            failed = 0 if ok else failed + 1
            if failed == self.cfg.failures and pod.t_term is None:
                self.log(f"kubelet: {pod.name} unready after {failed} failed probes")
                asyncio.get_running_loop().call_later(self.lags[0], self.lb.remove, pod)

    async def delete(self, pod, k):
        lag = self.let_go_later(pod, k)
        self.log(f"kubelet: delete {pod.name}: podman stop -t {self.cfg.grace // 1000}; "
                 f"the load balancer lets go in {lag:.3f}s")
        pod.t_term = mono()
        stop = asyncio.ensure_future(self.podman("stop", "-t", str(self.cfg.grace // 1000),
                                                 self.container_name(pod),
                                                 timeout=self.cfg.grace / 1000 + 30))
        try:
            await asyncio.wait_for(pod.gone.wait(), self.cfg.grace / 1000 + 5)
        except asyncio.TimeoutError:
            raise ScenarioError(f"{pod.name} still there after the grace period")
        await stop
        pod.killed = pod.t_end - pod.t_term >= self.cfg.grace / 1000 - 0.05
        self.deleted.append(pod)

    def request_head(self, i, ms):
        """make e2e's request, numbered for HAProxy's log (X-Req)."""
        return f"GET /work/{ms} HTTP/1.0\r\nHost: e2e\r\nX-Req: {i}\r\n\r\n".encode()

    def finish_records(self):
        """HAProxy's log says which server and how each request ended."""
        for rec in self.records:
            st, state, server = self.lb.term.get(rec["i"], ("?", "?", "-"))
            slot = server.split("/")[-1]
            rec["pod"] = next((p.name for p in self.pods if f"s{p.slot}" == slot), slot)
            if rec["outcome"] != "ok":
                rec["outcome"] = classify(int(st) if st.isdigit() else 0, state)
                rec["detail"] = f"HAProxy {st} {state}; {rec['detail']}"

    async def cleanup(self):
        for pod in self.pods:
            await self.podman("rm", "--force", "--time", "0", self.container_name(pod), timeout=30)
        watches = [p.exited for p in self.pods if p.exited]
        if watches:
            await asyncio.wait(watches, timeout=e2e.EXIT_TIMEOUT)
        await self.lb.stop()
        self.finish_records()
        self.events.close()

    def summary(self):
        r = super().summary()
        r.update({"config": self.init, "wrapper": self.init, "entrypoint": self.entry,
                  "probe": {"exec": "exec: drainit probe", "http": "httpGet /ready (drainit)",
                            "app": "httpGet /healthz (app)"}[self.probe_kind],
                  "ok_run": not r["error"] and not r["other"],
                  "exec_probe_ms_median": (round(statistics.median(self.exec_walls) * 1000, 1)
                                           if self.exec_walls else None),
                  "exec_probes": len(self.exec_walls)})
        return r


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="tests/e2e/engine.sh", description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--pods", type=int, default=2, help="pods per scenario, each replaced (2)")
    ap.add_argument("--rounds", type=int, default=2, help="times every pod is replaced (2)")
    ap.add_argument("--lag", type=int, default=1500, metavar="MS")
    ap.add_argument("--jitter", type=int, default=1000, metavar="MS")
    ap.add_argument("--rate", type=float, default=40, metavar="R")
    ap.add_argument("--request-ms", default="100-300", metavar="MIN-MAX")
    ap.add_argument("--grace", type=int, default=10000, metavar="MS")
    ap.add_argument("--delay", type=int, default=None, metavar="MS")
    ap.add_argument("--warmup", type=int, default=300, metavar="MS")
    ap.add_argument("--period", type=int, default=1000, metavar="MS",
                    help="readiness probe periodSeconds (1000)")
    ap.add_argument("--failures", type=int, default=1, help="failureThreshold (1)")
    ap.add_argument("--probe-timeout", type=int, default=1000, metavar="MS",
                    help="timeoutSeconds (1000)")
    ap.add_argument("--interval", type=int, default=1500, metavar="MS")
    ap.add_argument("--only", action="append", default=None, metavar="CONFIG")
    ap.add_argument("--entry", choices=ENTRIES, default=None)
    ap.add_argument("--out", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("-v", "--verbose", action="store_true")
    cfg = ap.parse_args(argv)
    cfg.inits = []
    for item in cfg.only or list(CONFIGS):
        for name in item.split(","):
            if name not in CONFIGS:
                ap.error(f"--only: unknown configuration {name!r} ({', '.join(CONFIGS)})")
            cfg.inits.append(name)
    cfg.entries = [cfg.entry] if cfg.entry else list(ENTRIES)
    lo, _, hi = cfg.request_ms.partition("-")
    cfg.req_min, cfg.req_max = int(lo), int(hi or lo)
    cfg.seed = cfg.seed if cfg.seed is not None else random.SystemRandom().randrange(1, 100000)
    cfg.delay = cfg.delay if cfg.delay is not None else cfg.lag + cfg.jitter + 1000
    cfg.drain = cfg.grace - cfg.delay - 2000
    cfg.preroll, cfg.tail = 1000, 1000
    cfg.probe_period = cfg.period  # the kubelet probes a starting pod at periodSeconds too
    # every pod replaced --rounds times: pods x rounds replacements
    cfg.replacements = cfg.pods * cfg.rounds
    cfg.load_ms = cfg.preroll + (cfg.replacements - 1) * cfg.interval + 1000 + cfg.grace + cfg.tail
    cfg.out = os.path.abspath(cfg.out)
    os.makedirs(cfg.out, exist_ok=True)
    cfg.ports = e2e.Ports(cfg.seed)
    return cfg


async def run_scenario(cfg, init, entry):
    sc = EngineScenario(cfg, init, entry)
    # make e2e replaces each of its pods once; here each pod --rounds times
    sc.lags = [(cfg.lag + random.Random(f"{cfg.seed}/lag/{k}").uniform(0, cfg.jitter)) / 1000
               for k in range(cfg.replacements)]
    try:
        await sc.lb.start()
        first = [await sc.start_pod() for _ in range(cfg.pods)]
        await asyncio.gather(*(sc.wait_ready(p) for p in first))
        await sc.lb.settle()  # the first pods in rotation before the load starts
        await sc.rollout(first, cfg.replacements)
    except ScenarioError as e:
        sc.error = str(e)
        sc.log(f"error: {e}")
    finally:
        await sc.cleanup()
    return sc.summary()


def main(argv):
    cfg = parse_args(argv)
    lagmax = cfg.lag + cfg.jitter
    print(f"e2e-engine: seed {cfg.seed}: {cfg.pods} pods, each replaced {cfg.rounds} times, "
          f"{cfg.interval} ms apart, under {cfg.rate:g} req/s through HAProxy; the endpoints "
          f"controller lets go {cfg.lag}-{lagmax} ms after a deletion; probes every "
          f"{cfg.period} ms (timeout {cfg.probe_timeout} ms, {cfg.failures} failure(s)); grace "
          f"{cfg.grace} ms; drainit: pre-stop delay {cfg.delay} ms, drain {cfg.drain} ms",
          flush=True)
    results = []
    t_run = mono()

    async def top():
        for init in cfg.inits:
            for entry in cfg.entries:
                t = mono()
                print(f"{init}-{entry}: ", end="", flush=True)
                r = await run_scenario(cfg, init, entry)
                results.append(r)
                print(f"{r['sent']} sent, {r['lost']} lost (refused {r['refused']}, reset "
                      f"{r['reset']}, timeout {r['timeout']}, other {r['other']}), "
                      f"{mono() - t:.1f}s" + (f"; ERROR: {r['error']}" if r["error"] else ""),
                      flush=True)
    asyncio.run(top())
    print()
    print(e2e.table(results))
    walls = [r["exec_probe_ms_median"] for r in results if r["exec_probe_ms_median"]]
    if walls:
        print(f"\nexec probe through the engine (podman exec): median {statistics.median(walls):.0f} "
              f"ms wall time ({sum(r['exec_probes'] for r in results)} probes)")
    with open(os.path.join(cfg.out, "results.json"), "w") as f:
        json.dump({"seed": cfg.seed, "seconds": round(mono() - t_run, 1), "results": results}, f,
                  indent=1)
    problems = [f"{r['config']}/{r['entrypoint']}: {r['error']}" for r in results if r["error"]]
    problems += [f"{r['config']}/{r['entrypoint']}: lost {r['lost']} request(s)"
                 for r in results if r["config"].startswith("drainit") and r["lost"]]
    for p in problems:
        print(f"e2e-engine: FAIL: {p}", file=sys.stderr)
    print(f"e2e-engine: results in {cfg.out}/results.json, {mono() - t_run:.0f} s")
    if problems:
        return 1
    print("e2e-engine: PASS: drainit lost no request")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
