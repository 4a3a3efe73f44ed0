#!/usr/bin/env python3
"""make e2e: a rolling termination under constant load, per init.

Started by tests/e2e/run.sh (which builds the app and sweeps up afterwards);
docs/e2e.md says what it models and how to read the table.

One asyncio process holds the three parts of a cluster that matter here:

  load balancer    an HTTP proxy on 127.0.0.1: per request one connection from
                   the client, a target chosen round robin from its target set,
                   one connect to it, no retry. A failure is answered 503
                   (connect refused), 502 (reset, or closed before a full
                   answer) or 504 (no answer in time), with the kind in an
                   X-E2E-Lost header. A deleted pod's target is removed only
                   after --lag plus a seeded jitter in [0, --jitter].
  kubelet          starts pods (unshare --pid --fork --mount-proc INIT -- APP),
                   adds a pod to the target set once its readiness probe
                   passes, and replaces each pod in turn: start the new one,
                   wait until ready, delete the old one (endpoint removal after
                   the lag; at the same moment SIGTERM to the pod's PID 1; the
                   grace period; SIGKILL to PID 1, which ends the namespace).
  load generator   constant rate, one connection per request to the load
                   balancer, each request asking for a seeded duration; every
                   request is recorded (requests.csv per scenario).

The same seed gives every scenario the same request durations and the same
lag draws, so the inits are compared on the same draws.
"""

import argparse
import asyncio
import csv
import json
import os
import random
import signal
import socket
import statistics
import sys
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DRAINIT = os.path.join(TOP, "build", "drainit")
APP = os.path.join(TOP, "build", "e2e", "app")
WRAPPER = os.path.join(TOP, "tests", "e2e", "wrapper.sh")
DEFAULT_OUT = os.path.join(TOP, "build", "e2e", "last")
# drainit-http: drainit with --ready-http, its port probed as an httpGet probe
# would be, instead of the readiness file and an exec probe.
INITS = {"drainit": DRAINIT, "drainit-http": DRAINIT, "tini": "/usr/bin/tini",
         "dumb-init": "/usr/bin/dumb-init", "none": None}
ENTRIES = ("app", "bash")
KINDS = ("refused", "reset", "timeout", "other")
TOKEN_VAR = "DRAINIT_E2E_TOKEN"  # in every process of every pod: what the sweep looks for

CONNECT_TIMEOUT = 3.0   # load balancer -> pod connect
RESPONSE_TIMEOUT = 5.0  # load balancer: the whole answer, beyond the longest request
CLIENT_TIMEOUT = 15.0   # load generator: the load balancer itself must answer, beyond that
READY_TIMEOUT = 30.0    # a new pod must be ready within this
EXIT_TIMEOUT = 10.0     # after SIGKILL


class ScenarioError(Exception):
    pass


def mono():
    return time.monotonic()


# Every pod process started, for the last-resort cleanup.
ALL_PODS = []


def kill_quietly(pid, sig):
    if pid:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def children_of(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        pass
    kids = []  # kernels without CONFIG_PROC_CHILDREN
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    st = f.read()
                if int(st[st.rindex(")") + 2:].split()[1]) == pid:
                    kids.append(int(d))
            except (OSError, ValueError):
                pass
    return kids


def sweep(token, kill=True):
    """Processes that carry our token in their environment: leftovers of this
    run (each pod's processes inherit it). Killed with SIGKILL when asked."""
    found = []
    me = os.getpid()
    needle = f"{TOKEN_VAR}={token}".encode()
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == me:
            continue
        try:
            with open(f"/proc/{d}/environ", "rb") as f:
                env = f.read().split(b"\0")
            if needle not in env:
                continue
            with open(f"/proc/{d}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue
        found.append((int(d), comm))
        if kill:
            kill_quietly(int(d), signal.SIGKILL)
    return found


class Ports:
    """Pod ports below the ephemeral range, so that no outgoing connection of
    the load balancer can hold one when a pod binds it; never reused in a run."""

    def __init__(self, seed):
        self.rng = random.Random(f"{seed}/ports")
        self.used = set()

    def take(self):
        for _ in range(1000):
            port = self.rng.randrange(20000, 32000)
            if port in self.used:
                continue
            self.used.add(port)
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
            finally:
                s.close()
        raise ScenarioError("no free port")


class Pod:
    def __init__(self, name, port):
        self.name = name
        self.port = port
        self.proc = None      # unshare (its child is the pod's PID 1)
        self.nspid = None     # the pod's PID 1, as seen from here
        self.exited = None    # task: unshare's exit (t_exit, rc)
        self.gone = asyncio.Event()  # the pod's PID 1 ended (t_end): the pod is over
        self.t_start = self.t_ready = self.t_term = self.t_end = self.t_exit = None
        self.killed = False
        self.rc = None
        self.ready_file = None
        self.http_port = None  # drainit-http: drainit's --ready-http port

    def alive(self):
        return self.proc is not None and self.t_exit is None


def http_complete(data):
    """A full HTTP answer: the head and Content-Length bytes of body."""
    end = data.find(b"\r\n\r\n")
    if end < 0 or not data.startswith(b"HTTP/"):
        return False
    length = None
    for line in data[:end].split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            try:
                length = int(v.strip())
            except ValueError:
                return False
    return length is not None and len(data) - end - 4 >= length


def http_parse(data):
    end = data.find(b"\r\n\r\n")
    head = data[:end if end >= 0 else len(data)].decode("latin-1").split("\r\n")
    parts = head[0].split(" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    headers = {}
    for line in head[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    body = data[end + 4:] if end >= 0 else b""
    return status, headers, body


async def http_get_ok(port, path, timeout):
    """An httpGet probe: GET path on 127.0.0.1:port answers 200 within
    timeout seconds."""
    try:
        r, w = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    except (OSError, asyncio.TimeoutError):
        return False
    try:
        w.write(f"GET {path} HTTP/1.0\r\n\r\n".encode())
        data = await asyncio.wait_for(r.read(), timeout)
        return http_parse(data)[0] == 200
    except (OSError, asyncio.TimeoutError):
        return False
    finally:
        w.close()


class LoadBalancer:
    def __init__(self, sc):
        self.sc = sc
        self.targets = []
        self.rr = 0
        self.server = None
        self.port = None
        self.open = set()

    async def start(self):
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0, backlog=1024)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self):
        if self.server:
            self.server.close()
            await self.server.wait_closed()

    def add(self, pod):
        if pod not in self.targets:
            self.targets.append(pod)
            self.sc.log(f"lb: + {pod.name} :{pod.port} (targets: {self.names()})")

    def remove(self, pod):
        if pod in self.targets:
            self.targets.remove(pod)
            self.sc.log(f"lb: - {pod.name} :{pod.port} (targets: {self.names()})")

    def names(self):
        return " ".join(p.name for p in self.targets) or "none"

    async def handle(self, reader, writer):
        task = asyncio.current_task()
        self.open.add(task)
        try:
            await self._handle(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                asyncio.TimeoutError):
            pass  # the client went away: the load generator records it
        finally:
            self.open.discard(task)
            writer.close()

    async def _handle(self, reader, writer):
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), CLIENT_TIMEOUT)
        if not self.targets:
            return await self.fail(writer, 503, "refused", "-", "no target")
        pod = self.targets[self.rr % len(self.targets)]
        self.rr += 1
        try:
            br, bw = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", pod.port),
                                            CONNECT_TIMEOUT)
        except ConnectionRefusedError:
            return await self.fail(writer, 503, "refused", pod.name, "connection refused")
        except asyncio.TimeoutError:
            return await self.fail(writer, 504, "timeout", pod.name, "connect timed out")
        except OSError as e:
            return await self.fail(writer, 503, "other", pod.name, f"connect: {e}")
        kind = None
        try:
            bw.write(head)
            await bw.drain()
            data = await asyncio.wait_for(br.read(), self.sc.cfg.req_max / 1000 + RESPONSE_TIMEOUT)
            if not http_complete(data):
                kind, detail = "reset", f"closed after {len(data)} bytes"
        except ConnectionError as e:
            kind, detail = "reset", type(e).__name__
        except asyncio.TimeoutError:
            kind, detail = "timeout", "no answer in time"
        except OSError as e:
            kind, detail = "other", str(e)
        finally:
            bw.close()
        if kind:
            return await self.fail(writer, 504 if kind == "timeout" else 502, kind, pod.name, detail)
        nl = data.index(b"\r\n")
        writer.write(data[:nl + 2] + f"X-E2E-Pod: {pod.name}\r\n".encode() + data[nl + 2:])
        await writer.drain()

    async def fail(self, writer, status, kind, pod, detail):
        body = f"{kind}: {detail}\n".encode()
        writer.write(f"HTTP/1.0 {status} Lost\r\nX-E2E-Lost: {kind}\r\nX-E2E-Pod: {pod}\r\n"
                     f"X-E2E-Detail: {detail}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        await writer.drain()


class Scenario:
    def __init__(self, cfg, init, entry):
        self.cfg = cfg
        self.init = init
        self.entry = entry
        self.key = f"{init}-{entry}"
        self.dir = os.path.join(cfg.out, self.key)
        os.makedirs(self.dir, exist_ok=True)
        self.events = open(os.path.join(self.dir, "events.log"), "w")
        self.t0 = mono()
        self.lb = LoadBalancer(self)
        self.pods = []
        self.deleted = []
        self.records = []
        self.inflight = set()
        self.stopping = False
        self.error = None
        self.count = 0
        self.sent = 0    # requests started; each should end in a record
        self.late = 0.0  # the most a timer of the harness fired late (a loaded machine)
        # The same draws for every scenario: durations by request number,
        # removal lags by replacement number.
        self.rng_req = random.Random(f"{cfg.seed}/requests")
        rng_lag = random.Random(f"{cfg.seed}/lag")
        self.lags = [(cfg.lag + rng_lag.uniform(0, cfg.jitter)) / 1000 for _ in range(cfg.pods)]

    def log(self, msg):
        line = f"{mono() - self.t0:8.3f} {msg}"
        self.events.write(line + "\n")
        self.events.flush()
        if self.cfg.verbose:
            print(f"  [{self.key}] {line}", flush=True)

    # --- kubelet ---------------------------------------------------------

    def command(self, pod):
        cfg = self.cfg
        cmd = [APP, pod.name, str(pod.port), str(cfg.warmup)]
        if self.entry == "bash":
            cmd = [WRAPPER] + cmd
        if self.init.startswith("drainit"):
            if self.init == "drainit-http":
                pod.http_port = cfg.ports.take()
                where = ["--ready-http", f"127.0.0.1:{pod.http_port}"]
            else:
                pod.ready_file = os.path.join(self.dir, f"{pod.name}.ready")
                where = ["--ready-file", pod.ready_file]
            cmd = [DRAINIT] + where + [
                   "--ready-when", f"http:{pod.port}/healthz", "--ready-interval", "100ms",
                   "--pre-stop-delay", f"{cfg.delay}ms", "--drain-timeout", f"{cfg.drain}ms",
                   "--grace-period", f"{cfg.grace}ms", "--"] + cmd
        elif self.init != "none":
            cmd = [INITS[self.init], "--"] + cmd
        # setpriv: unshare dies with this process; --kill-child: the pod's
        # PID 1 (and so the whole namespace) dies with unshare.
        # nice: back to the niceness the harness was started with (it raised
        # its own, see main).
        return ["nice", "-n", str(cfg.pod_nice_delta), "setpriv", "--pdeathsig", "KILL", "--",
                "unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "--"] + cmd

    async def start_pod(self):
        pod = Pod(f"p{self.count}", self.cfg.ports.take())
        self.count += 1
        self.pods.append(pod)
        ALL_PODS.append(pod)
        log = open(os.path.join(self.dir, f"{pod.name}.log"), "wb")
        env = dict(os.environ, **{TOKEN_VAR: self.cfg.token})
        pod.t_start = mono()
        pod.proc = await asyncio.create_subprocess_exec(
            *self.command(pod), stdin=asyncio.subprocess.DEVNULL, stdout=log,
            stderr=asyncio.subprocess.STDOUT, env=env, start_new_session=True)
        log.close()
        pod.exited = asyncio.create_task(self.watch(pod))
        deadline = mono() + 10
        while pod.nspid is None:
            kids = children_of(pod.proc.pid)
            if kids:
                pod.nspid = kids[0]
            elif pod.t_exit is not None or mono() > deadline:
                raise ScenarioError(f"{pod.name}: no PID 1 (see {pod.name}.log)")
            else:
                await asyncio.sleep(0.005)
        # The pod ends when its PID 1 does (the kernel has then killed and
        # reaped the rest of the namespace): a pidfd says so at once, before
        # unshare has reaped it and the child watcher has noticed.
        try:
            fd = os.pidfd_open(pod.nspid)
        except OSError:
            fd = None  # already gone: unshare's exit tells
        if fd is not None:
            loop = asyncio.get_running_loop()

            def ended():
                loop.remove_reader(fd)
                os.close(fd)
                self.ended(pod)
            loop.add_reader(fd, ended)
        self.log(f"kubelet: started {pod.name} :{pod.port}, PID 1 is pid {pod.nspid}")
        return pod

    def ended(self, pod):
        if pod.t_end is None:
            pod.t_end = mono()
            pod.gone.set()
            self.log(f"kubelet: {pod.name}: PID 1 ended")

    async def watch(self, pod):
        pod.rc = await pod.proc.wait()
        pod.t_exit = mono()
        self.ended(pod)
        how = f"exit status {pod.rc}" if pod.rc >= 0 else f"signal {-pod.rc}"
        self.log(f"kubelet: {pod.name}: unshare ended ({how})")

    async def probe(self, pod):
        """The readiness probe: drainit probe, run in the pod's PID namespace
        as an exec probe is; with drainit-http GET /ready on drainit's port;
        for the others the app's /healthz, as an httpGet probe on the app
        would be."""
        if self.init == "drainit":
            env = dict(os.environ, **{TOKEN_VAR: self.cfg.token})
            p = await asyncio.create_subprocess_exec(
                "nsenter", "-t", str(pod.nspid), "-p", "--", DRAINIT, "probe",
                "--ready-file", pod.ready_file, stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL, env=env)
            try:
                return await asyncio.wait_for(p.wait(), 5) == 0
            except asyncio.TimeoutError:
                kill_quietly(p.pid, signal.SIGKILL)
                await p.wait()
                return False
        port, path = (pod.http_port, "/ready") if pod.http_port else (pod.port, "/healthz")
        return await http_get_ok(port, path, 1)

    async def wait_ready(self, pod):
        deadline = mono() + READY_TIMEOUT
        while not await self.probe(pod):
            if pod.t_end is not None:
                raise ScenarioError(f"{pod.name} ended before it was ready (see {pod.name}.log)")
            if mono() > deadline:
                raise ScenarioError(f"{pod.name} not ready after {READY_TIMEOUT:g}s")
            await asyncio.sleep(self.cfg.probe_period / 1000)
        pod.t_ready = mono()
        self.log(f"kubelet: {pod.name} ready after {pod.t_ready - pod.t_start:.3f}s")
        self.lb.add(pod)

    def let_go_later(self, pod, k):
        """The load balancer drops the pod after the k-th deletion's lag, as
        an endpoints controller does seconds late; returns the lag."""
        lag = self.lags[k]
        t_due = mono() + lag

        def remove():
            self.late = max(self.late, mono() - t_due)
            self.lb.remove(pod)
        asyncio.get_running_loop().call_later(lag, remove)
        return lag

    async def delete(self, pod, k):
        """Pod deletion: the endpoint goes after the lag, SIGTERM at once,
        SIGKILL at the grace period."""
        lag = self.let_go_later(pod, k)
        self.log(f"kubelet: delete {pod.name}: SIGTERM to pid {pod.nspid}; "
                 f"the load balancer lets go in {lag:.3f}s")
        pod.t_term = mono()
        if pod.t_end is None:
            kill_quietly(pod.nspid, signal.SIGTERM)
        try:
            await asyncio.wait_for(pod.gone.wait(), self.cfg.grace / 1000)
        except asyncio.TimeoutError:
            self.log(f"kubelet: {pod.name}: grace period over: SIGKILL to pid {pod.nspid}")
            pod.killed = True
            kill_quietly(pod.nspid, signal.SIGKILL)
            try:
                await asyncio.wait_for(pod.gone.wait(), EXIT_TIMEOUT)
            except asyncio.TimeoutError:
                raise ScenarioError(f"{pod.name} still there {EXIT_TIMEOUT:g}s after SIGKILL")
        self.deleted.append(pod)

    # --- load generator --------------------------------------------------

    def request_head(self, i, ms):
        """Request i, asking the app to take ms milliseconds."""
        return f"GET /work/{ms} HTTP/1.0\r\nHost: e2e\r\n\r\n".encode()

    async def request(self, i, t_sched, ms):
        t_start = mono()
        rec = {"i": i, "t_sched": round(t_sched - self.t0, 4), "t_start": round(t_start - self.t0, 4),
               "ms": ms, "pod": "", "outcome": "other", "detail": ""}
        try:
            r, w = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", self.lb.port), 5)
            try:
                w.write(self.request_head(i, ms))
                data = await asyncio.wait_for(r.read(), self.cfg.req_max / 1000 + CLIENT_TIMEOUT)
            finally:
                w.close()
            status, headers, body = http_parse(data)
            rec["pod"] = headers.get("x-e2e-pod", "")
            if status == 200 and body.startswith(b"ok ") and http_complete(data):
                rec["outcome"] = "ok"
            else:
                rec["outcome"] = headers.get("x-e2e-lost", "other")
                rec["detail"] = headers.get("x-e2e-detail", f"status {status}")
        except asyncio.TimeoutError:  # the load balancer has its own, shorter timeouts
            rec["detail"] = "the load balancer did not answer"
        except OSError as e:
            rec["detail"] = f"load balancer: {e}"
        rec["latency_ms"] = round((mono() - t_start) * 1000, 1)
        self.records.append(rec)

    async def load(self):
        cfg = self.cfg
        t0 = mono()
        i = 0
        while not self.stopping:
            t = t0 + i / cfg.rate
            delay = t - mono()
            if delay > 0:
                await asyncio.sleep(delay)
                if self.stopping:
                    break
            ms = self.rng_req.randint(cfg.req_min, cfg.req_max)
            task = asyncio.create_task(self.request(i, t, ms))
            self.inflight.add(task)
            task.add_done_callback(self.inflight.discard)
            i += 1
            self.sent = i

    # --- the scenario ----------------------------------------------------

    async def run(self):
        cfg = self.cfg
        await self.lb.start()
        self.log(f"scenario {self.key}: {cfg.pods} pods, lb on :{self.lb.port}, "
                 f"removal lags {', '.join(f'{x:.3f}s' for x in self.lags)}")
        first = [await self.start_pod() for _ in range(cfg.pods)]
        await asyncio.gather(*(self.wait_ready(p) for p in first))
        await self.rollout(first, cfg.pods)

    async def rollout(self, live, replacements):
        """The load, and the rolling update of the pods in live (ready): the
        oldest replaced by a new one, replacements times."""
        cfg = self.cfg
        live = list(live)
        t_load = mono()
        loader = asyncio.create_task(self.load())
        deletions = []

        async def until(t):
            await asyncio.sleep(max(0, t - mono()))
        try:
            # Replacement k starts at a fixed time after the load does, and
            # the load runs for a fixed time: every scenario sends the same
            # requests, unless a pod is late.
            for k in range(replacements):
                await until(t_load + (cfg.preroll + k * cfg.interval) / 1000)
                new = await self.start_pod()
                await self.wait_ready(new)
                old = live.pop(0)
                live.append(new)
                deletions.append(asyncio.create_task(self.delete(old, k)))
            await asyncio.gather(*deletions)
            await until(max(t_load + cfg.load_ms / 1000, mono() + cfg.tail / 1000))
        finally:
            self.stopping = True
            for d in deletions:
                if not d.done():
                    d.cancel()
            await asyncio.gather(loader, *deletions, return_exceptions=True)
            if self.inflight:
                await asyncio.wait(self.inflight, timeout=cfg.req_max / 1000 + CLIENT_TIMEOUT + 10)
            self.log(f"load: stopped after {len(self.records)} requests")

    async def cleanup(self):
        """The rollout is over: the pods left are killed (traffic has stopped)."""
        for p in self.pods:
            if p.alive():
                for pid in (p.nspid, p.proc.pid):
                    kill_quietly(pid, signal.SIGKILL)
        waits = [p.exited for p in self.pods if p.exited]
        if waits:
            done, pending = await asyncio.wait(waits, timeout=EXIT_TIMEOUT)
            if pending:
                self.error = self.error or "pods did not end after SIGKILL"
        await self.lb.stop()
        for t in list(self.lb.open):
            t.cancel()
        self.events.close()

    def summary(self):
        lost = {k: 0 for k in KINDS}
        ok = 0
        for r in self.records:
            if r["outcome"] == "ok":
                ok += 1
            else:
                lost[r["outcome"] if r["outcome"] in lost else "other"] += 1
        lost["other"] += self.sent - len(self.records)  # never finished: the harness failed
        terms = [p.t_end - p.t_term for p in self.deleted if p.t_end is not None]
        late = max([r["t_start"] - r["t_sched"] for r in self.records] + [self.late])
        with open(os.path.join(self.dir, "requests.csv"), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=["i", "t_sched", "t_start", "ms", "pod", "outcome",
                                              "latency_ms", "detail"])
            w.writeheader()
            w.writerows(sorted(self.records, key=lambda r: r["i"]))
        return {
            "init": self.init, "entry": self.entry, "sent": self.sent, "ok": ok,
            "lost": sum(lost.values()), **lost, "stops": len(self.deleted),
            "term_median": statistics.median(terms) if terms else None,
            "term_max": max(terms) if terms else None,
            "killed": sum(p.killed for p in self.deleted),
            "harness_late_ms": round(late * 1000, 1), "error": self.error,
        }


def table(results):
    head = ("init", "entrypoint", "sent", "ok", "lost", "refused", "reset", "timeout",
            "termination median / max", "SIGKILLed")
    rows = []
    for r in results:
        term = ("-" if r["term_median"] is None else
                f"{r['term_median']:.2f} s / {r['term_max']:.2f} s")
        lost = str(r["lost"]) + (f" ({r['other']} other)" if r["other"] else "")
        rows.append((r["init"], "app" if r["entry"] == "app" else "bash script",
                     str(r["sent"]), str(r["ok"]), lost, str(r["refused"]), str(r["reset"]),
                     str(r["timeout"]), term, f"{r['killed']} of {r['stops']}"))
    widths = [max(len(x[i]) for x in [head] + rows) for i in range(len(head))]
    right = {2, 3, 4, 5, 6, 7}

    def fmt(row):
        return "| " + " | ".join(c.rjust(w) if i in right else c.ljust(w)
                                 for i, (c, w) in enumerate(zip(row, widths))) + " |"
    sep = "|" + "|".join(("-" * (w + 1) + ":") if i in right else ("-" * (w + 2))
                         for i, w in enumerate(widths)) + "|"
    return "\n".join([fmt(head), sep] + [fmt(r) for r in rows])


async def run_all(cfg, results):
    for init in cfg.inits:
        for entry in cfg.entries:
            sc = Scenario(cfg, init, entry)
            t = mono()
            print(f"{sc.key}: ", end="", flush=True)
            try:
                await sc.run()
            except ScenarioError as e:
                sc.error = str(e)
                sc.log(f"error: {e}")
            finally:
                await sc.cleanup()
            r = sc.summary()
            results.append(r)
            term = "-" if r["term_max"] is None else f"{r['term_median']:.2f}/{r['term_max']:.2f} s"
            print(f"{r['sent']} sent, {r['lost']} lost (refused {r['refused']}, reset {r['reset']}, "
                  f"timeout {r['timeout']}, other {r['other']}), termination {term}, "
                  f"{r['killed']} SIGKILLed, {mono() - t:.1f}s, harness late "
                  f"{r['harness_late_ms']:.0f} ms at most"
                  + (f"; ERROR: {r['error']}" if r["error"] else ""), flush=True)


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="tests/e2e/run.sh",
        description="Rolling termination under constant load, for drainit, tini, dumb-init "
                    "and no init, each with the app as entrypoint and behind a bash script "
                    "that starts it without exec. Prints requests sent and lost per scenario "
                    "and the pods' termination times. Exit status 1 if drainit loses a request "
                    "(with a pre-stop delay above the lag), a pod could not be started or "
                    "something was left running; 2 on a usage or setup error; 3 when the "
                    "time bound was hit; 130/143 when interrupted. See docs/e2e.md.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=None,
                    help="seed of the request durations, removal lags and ports "
                         "(default: a new one, printed)")
    ap.add_argument("--pods", type=int, default=3, help="pods per scenario, each replaced once (3)")
    ap.add_argument("--lag", type=int, default=1500, metavar="MS",
                    help="the load balancer removes a deleted pod's target this long after "
                         "its deletion ... (1500)")
    ap.add_argument("--jitter", type=int, default=1000, metavar="MS",
                    help="... plus a seeded uniform draw in [0, MS] (1000)")
    ap.add_argument("--rate", type=float, default=80, metavar="R",
                    help="requests per second, constant (80)")
    ap.add_argument("--request-ms", default="100-300", metavar="MIN-MAX",
                    help="request durations, uniform, seeded (100-300)")
    ap.add_argument("--grace", type=int, default=10000, metavar="MS",
                    help="terminationGracePeriod: SIGTERM to SIGKILL (10000)")
    ap.add_argument("--delay", type=int, default=None, metavar="MS",
                    help="drainit's --pre-stop-delay (default: lag + jitter + 1000)")
    ap.add_argument("--warmup", type=int, default=300, metavar="MS",
                    help="the app warms up this long before it listens (300)")
    ap.add_argument("--probe-period", type=int, default=100, metavar="MS",
                    help="readiness probe period while a new pod starts (100)")
    ap.add_argument("--interval", type=int, default=1500, metavar="MS",
                    help="time between the starts of two replacements (1500)")
    ap.add_argument("--only", action="append", default=None, metavar="INIT",
                    help="run only this init (drainit, drainit-http, tini, dumb-init, none); "
                         "repeatable, "
                         "or comma-separated")
    ap.add_argument("--entry", choices=ENTRIES, default=None,
                    help="run only this entrypoint variant")
    ap.add_argument("--timeout", type=float, default=270, metavar="S",
                    help="bound on the whole run; exit 3 when hit (270)")
    ap.add_argument("--out", default=DEFAULT_OUT,
                    help="logs, events and requests.csv per scenario, emptied first "
                         "(build/e2e/last)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print the events as they happen")
    ap.add_argument("--token", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--sweep", default=None, metavar="TOKEN", help=argparse.SUPPRESS)
    cfg = ap.parse_args(argv)
    if cfg.sweep:
        return cfg
    cfg.inits = []
    for item in cfg.only or list(INITS):
        for name in item.split(","):
            if name not in INITS:
                ap.error(f"--only: unknown init {name!r} (drainit, drainit-http, tini, dumb-init, "
                         f"none)")
            if name not in cfg.inits:
                cfg.inits.append(name)
    cfg.entries = [cfg.entry] if cfg.entry else list(ENTRIES)
    cfg.out = os.path.abspath(cfg.out)
    try:
        lo, _, hi = cfg.request_ms.partition("-")
        cfg.req_min, cfg.req_max = int(lo), int(hi or lo)
        assert 0 <= cfg.req_min <= cfg.req_max <= 10000
    except (ValueError, AssertionError):
        ap.error("--request-ms: MIN-MAX in milliseconds, at most 10000")
    if cfg.pods < 1 or cfg.rate <= 0 or cfg.lag < 0 or cfg.jitter < 0 or cfg.grace < 1000:
        ap.error("--pods >= 1, --rate > 0, --lag and --jitter >= 0, --grace >= 1000")
    if cfg.seed is None:
        cfg.seed = random.SystemRandom().randrange(1, 100000)
    if cfg.delay is None:
        cfg.delay = cfg.lag + cfg.jitter + 1000
    cfg.drain = cfg.grace - cfg.delay - 2000  # drainit's D + T + 2 s = G
    if cfg.drain < 1000:
        ap.error(f"--grace {cfg.grace} leaves drainit less than 1 s to drain after a "
                 f"{cfg.delay} ms pre-stop delay (D + T + 2 s = G)")
    cfg.token = cfg.token or f"e2e-{os.getpid()}-{time.time_ns()}"
    cfg.preroll = 1000  # load before the first replacement starts
    cfg.tail = 1000     # load after the last pod ended, at least
    # The load's length: up to the last replacement's start, its pod's
    # start-up and the longest termination (the grace period), and the tail.
    cfg.load_ms = cfg.preroll + (cfg.pods - 1) * cfg.interval + 1000 + cfg.grace + cfg.tail
    return cfg


def rerun_args(argv, seed):
    """argv without --token, with --seed SEED first."""
    out, skip = ["--seed", str(seed)], False
    for a in argv:
        if skip:
            skip = False
        elif a in ("--token", "--seed"):
            skip = True
        elif not a.startswith(("--token=", "--seed=")):
            out.append(a)
    return out


def main(argv):
    cfg = parse_args(argv)
    if cfg.sweep:
        left = sweep(cfg.sweep)
        for pid, comm in left:
            print(f"e2e: sweep: killed leftover pid {pid} ({comm})", file=sys.stderr)
        return 1 if left else 0
    for path in (DRAINIT, APP, WRAPPER) + tuple(p for p in INITS.values() if p):
        if not os.access(path, os.X_OK):
            print(f"e2e: {path} missing or not executable (make e2e builds and installs it)",
                  file=sys.stderr)
            return 2
    if os.geteuid() != 0:
        print("e2e: needs root (unshare --pid)", file=sys.stderr)
        return 2
    marker = os.path.join(cfg.out, ".e2e-out")
    if (os.path.isdir(cfg.out) and os.listdir(cfg.out) and not os.path.exists(marker)
            and cfg.out != DEFAULT_OUT):
        print(f"e2e: --out {cfg.out}: not empty and not an earlier run's output; not emptying it",
              file=sys.stderr)
        return 2
    if os.path.isdir(cfg.out):
        for root, dirs, files in os.walk(cfg.out, topdown=False):
            for f in files:
                os.unlink(os.path.join(root, f))
            for d in dirs:
                os.rmdir(os.path.join(root, d))
    os.makedirs(cfg.out, exist_ok=True)
    open(marker, "w").close()
    cfg.ports = Ports(cfg.seed)
    # The load balancer, the load generator and the kubelet stand for a
    # cluster's infrastructure, which does not share the pods' CPU: the
    # harness runs 10 nice levels above the pods, so that on a busy machine
    # its timers (the lag, the grace period, the request rate) stay on time
    # while the pods (inits and apps) compete for CPU like everything else.
    base = os.getpriority(os.PRIO_PROCESS, 0)
    own = max(-20, base - 10)
    os.setpriority(os.PRIO_PROCESS, 0, own)
    cfg.pod_nice_delta = base - own
    lagmax = cfg.lag + cfg.jitter
    print(f"e2e: seed {cfg.seed}: {cfg.pods} pods replaced one by one, {cfg.interval} ms apart, "
          f"under {cfg.rate:g} req/s for {cfg.load_ms / 1000:g} s per scenario "
          f"(requests {cfg.req_min}-{cfg.req_max} ms); the load balancer lets go "
          f"{cfg.lag}-{lagmax} ms after a deletion; grace period {cfg.grace} ms; drainit: "
          f"pre-stop delay {cfg.delay} ms, drain timeout {cfg.drain} ms, ready when "
          f"GET /healthz answers")
    print(f"e2e: rerun with: tests/e2e/run.sh {' '.join(rerun_args(argv, cfg.seed))}", flush=True)

    results = []
    status = 0
    t_run = mono()
    estimate = len(cfg.inits) * len(cfg.entries) * (cfg.load_ms / 1000 + 2)
    if estimate > cfg.timeout:
        print(f"e2e: warning: {len(cfg.inits) * len(cfg.entries)} scenarios take about "
              f"{estimate:.0f} s, more than --timeout {cfg.timeout:g}", file=sys.stderr)

    async def top():
        loop = asyncio.get_running_loop()
        me = asyncio.current_task()
        got = []

        def on_signal(sig):
            got.append(sig)
            me.cancel()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, on_signal, sig)
        try:
            await asyncio.wait_for(run_all(cfg, results), cfg.timeout)
        except asyncio.TimeoutError:
            return 3
        except asyncio.CancelledError:
            return 128 + (got[0] if got else signal.SIGTERM)
        return 0

    # A backstop should the loop itself be stuck: kill the pods and go.
    def on_alarm(*_):
        for p in ALL_PODS:
            if p.proc:
                kill_quietly(p.nspid, signal.SIGKILL)
                kill_quietly(p.proc.pid, signal.SIGKILL)
        sweep(cfg.token)
        print("e2e: hard time limit: killed everything", file=sys.stderr)
        os._exit(3)
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(int(cfg.timeout) + 60)
    try:
        status = asyncio.run(top())
    finally:
        for p in ALL_PODS:
            if p.alive():
                kill_quietly(p.nspid, signal.SIGKILL)
                kill_quietly(p.proc.pid, signal.SIGKILL)
    signal.alarm(0)
    if status:
        print(flush=True)  # ends the scenario's line

    # Nothing of ours may be left: every pod process carries the token.
    time.sleep(0.2)
    left = sweep(cfg.token)
    runtime = mono() - t_run
    with open(os.path.join(cfg.out, "results.json"), "w") as f:
        json.dump({"seed": cfg.seed, "args": rerun_args(argv, cfg.seed), "runtime_s": round(runtime, 1),
                   "results": results, "leftovers": left}, f, indent=1)
    if results:
        print()
        print(table(results))
        print()
    print(f"e2e: seed {cfg.seed}, {runtime:.0f} s; logs, events and every request in {cfg.out}/")
    problems = []
    for r in results:
        if r["error"]:
            problems.append(f"{r['init']}/{r['entry']}: {r['error']}")
        if r["other"]:
            problems.append(f"{r['init']}/{r['entry']}: {r['other']} request(s) failed in the "
                            f"harness itself (see requests.csv)")
        if r["init"].startswith("drainit") and cfg.delay > lagmax:
            if r["lost"]:
                problems.append(f"{r['init']}/{r['entry']}: lost {r['lost']} request(s) with a "
                                f"pre-stop delay ({cfg.delay} ms) above the lag ({lagmax} ms)")
            if r["killed"]:
                problems.append(f"{r['init']}/{r['entry']}: {r['killed']} pod(s) SIGKILLed at the "
                                f"grace period")
    worst = max((r["harness_late_ms"] for r in results), default=0)
    if worst > 250:
        print(f"e2e: note: the harness itself ran up to {worst:.0f} ms late (a busy machine): "
              f"the request rate and the lags were that much off")
    drainits = [i for i in cfg.inits if i.startswith("drainit")]
    if drainits and cfg.delay <= lagmax:
        print(f"e2e: note: drainit's pre-stop delay ({cfg.delay} ms) is not above the lag "
              f"({lagmax} ms): its losses are reported, not checked")
    if left:
        problems.append("left running (killed now): " +
                        ", ".join(f"pid {pid} ({comm})" for pid, comm in left))
    else:
        print("e2e: cleanup: no process of this run is left")
    sys.stdout.flush()
    for p in problems:
        print(f"e2e: FAIL: {p}", file=sys.stderr)
    if status == 3:
        print(f"e2e: FAIL: the run took longer than --timeout {cfg.timeout:g} s: stopped, "
              f"pods killed", file=sys.stderr)
    elif status:
        print("e2e: interrupted: stopped, pods killed", file=sys.stderr)
    if status:
        return status
    if problems:
        return 1
    checked = drainits and cfg.delay > lagmax
    print("e2e: PASS: drainit lost no request" if checked else "e2e: done (drainit not checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
