"""Serving benchmark: WSGI (gunicorn sync workers) against ASGI (uvicorn) for pages.

Not a test: it prints figures. Run it from the project folder:

    .venv/bin/python bench/serve.py            # or: make bench-serve
    .venv/bin/python bench/serve.py --duration 5 --concurrency 8 --servers wsgi,asgi

Each server runs with 2 workers on its own free port on 127.0.0.1, against the embedded
default (SQLite at /tmp/nexus-bench.sqlite3, migrated and seeded here), with DEBUG off and a
random secret, exactly as production would load settings. The servers run one at a time so
they do not compete for the machine's cores. For each server and path the script warms up,
waits until the workers are idle, then drives load with `wrk` (or, where wrk is missing, a
small threaded http.client loop) and prints requests/s and p50/p99 latency.

Servers:
    wsgi     gunicorn, 2 sync workers, hub.wsgi:application (how production serves pages)
    asgi     uvicorn --workers 2, hub.asgi:application (how production serves /ws/)
    hybrid   uvicorn --workers 2 with an ASGI app that hands each HTTP request to the WSGI
             handler in one thread hop (uvicorn's WSGIMiddleware) and keeps WebSockets on
             Channels: the "one ASGI process type" idea, measured, not used in production
             (BENCH_WSGI_THREADS threads per worker, default 2).

(`gunicorn -k uvicorn.workers.UvicornWorker` still imports in uvicorn 0.54 but is deprecated
in favour of the separate uvicorn-worker package, so `uvicorn --workers 2` is used.)
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DB_PATH = Path("/tmp/nexus-bench.sqlite3")
# /healthz: a hello-world view through the whole middleware stack. /: the home page.
# /admin/login/: a stock Django page (templates, CSRF, session) that does not change with ours.
PATHS = ["/healthz", "/", "/admin/login/"]


# --- The hybrid application (imported by uvicorn with --factory) -----------------------------


def hybrid_application():
    """ASGI app: HTTP through Django's WSGI handler (one thread hop per request), WebSockets
    through Channels as in hub.asgi. Only for this benchmark."""
    import warnings

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
    from django.core.wsgi import get_wsgi_application

    wsgi_app = get_wsgi_application()

    from channels.routing import ProtocolTypeRouter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from uvicorn.middleware.wsgi import WSGIMiddleware

        http_app = WSGIMiddleware(wsgi_app, workers=int(os.environ.get("BENCH_WSGI_THREADS", "2")))

    from hub.asgi import application as channels_application

    return ProtocolTypeRouter(
        {"http": http_app, "websocket": channels_application.application_mapping["websocket"]}
    )


# --- Environment and setup ----------------------------------------------------------------


def bench_env() -> dict[str, str]:
    env = dict(os.environ)
    # The embedded default, DEBUG off: no service URLs, no development flags.
    for name in ("DJANGO_DEBUG", "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_URL", "DJANGO_HTTPS"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="hub.settings",
        DJANGO_SECRET_KEY="bench-" + secrets.token_urlsafe(48),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        NEXUS_ALLOW_LOOPBACK_BASE_URL="true",  # served on this machine only
        DATABASE_URL=f"sqlite:///{DB_PATH}",
        DJANGO_LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def prepare_database(env: dict[str, str]) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)
    manage = [sys.executable, "manage.py"]
    # DEBUG off means the manifest static storage: templates need collectstatic's manifest.
    steps = [
        ["migrate", "--no-input", "--verbosity", "0"],
        ["seed_demo", "--allow-without-debug"],
        ["collectstatic", "--no-input", "--verbosity", "0"],
    ]
    for step in steps:
        subprocess.run(manage + step, cwd=BASE_DIR, env=env, check=True, stdout=subprocess.DEVNULL)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- Servers --------------------------------------------------------------------------------


def server_command(kind: str, port: int, workers: int, app: str = "") -> list[str]:
    if kind == "wsgi":
        return [
            str(VENV_BIN / "gunicorn"),
            app or "hub.wsgi:application",
            "--workers", str(workers),
            "--bind", f"127.0.0.1:{port}",
            "--no-control-socket",
            "--log-level", "warning",
        ]  # fmt: skip
    uvicorn = [
        str(VENV_BIN / "uvicorn"),
        "--workers", str(workers),
        "--host", "127.0.0.1",
        "--port", str(port),
        "--lifespan", "off",
        "--log-level", "warning",
        "--no-access-log",
    ]  # fmt: skip
    if kind == "asgi":
        return [*uvicorn, "hub.asgi:application"]
    if kind == "hybrid":
        return [*uvicorn, "--factory", "bench.serve:hybrid_application"]
    raise ValueError(kind)


SERVER_LABELS = {
    "wsgi": "gunicorn 2 sync (WSGI)",
    "asgi": "uvicorn 2 workers (ASGI)",
    "hybrid": "uvicorn 2 + WSGI in thread",
}


class Server:
    def __init__(self, kind: str, env: dict[str, str], workers: int, app: str = "") -> None:
        self.kind = kind
        self.port = free_port()
        self.log = open(f"/tmp/nexus-bench-{kind}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            server_command(kind, self.port, workers, app),
            cwd=BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends master and workers
        )

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.kind} exited; see {self.log.name}")
            try:
                status, _ = get(self.port, "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.kind} did not answer /healthz within {timeout:g}s")

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            except ProcessLookupError:
                pass
        self.log.close()


def get(port: int, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_idle(server: Server, settle: float) -> None:
    """Requests queued by the last run may still be in the workers: wait until a lone request
    is answered quickly, then a little more."""
    time.sleep(settle)
    for _ in range(50):
        started = time.perf_counter()
        try:
            get(server.port, "/healthz", timeout=30)
        except TimeoutError:
            continue
        if time.perf_counter() - started < 0.05:
            break
        time.sleep(0.5)


# --- Load ------------------------------------------------------------------------------------


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    # The time inside the worker (X-Nexus-Ms, collected by bench/wrk.lua), when known.
    server_p50_ms: float | None = None
    server_p99_ms: float | None = None


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not match:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * UNITS[match.group(2)]


def load_wrk(
    port: int,
    path: str,
    duration: float,
    concurrency: int,
    headers: list[str] = (),
    script: str = "",
    env: dict[str, str] | None = None,
) -> Result:
    """wrk against one path; `script` is a wrk Lua script (bench/wrk.lua: POSTs the body in
    $BENCH_BODY_FILE and reports the server-side times), `env` the environment wrk and
    its script see."""
    wrk = shutil.which("wrk")
    command = [
        wrk, "-t1", f"-c{concurrency}", f"-d{duration:g}s", "--timeout", "10s", "--latency",
        *(part for header in headers for part in ("-H", header)),
        *(("-s", script) if script else ()),
        f"http://127.0.0.1:{port}{path}",
    ]  # fmt: skip
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out):
        errors += int(match.group(1))
    if match := re.search(r"Socket errors:(.*)", out):
        errors += sum(int(n) for n in re.findall(r"\d+", match.group(1)))
    result = Result(rps, p50, p99, requests, errors)
    if (match := re.search(r"^server-ms (\d+) ([\d.]+) ([\d.]+)$", out, re.M)) and int(
        match.group(1)
    ):
        result.server_p50_ms, result.server_p99_ms = float(match.group(2)), float(match.group(3))
    return result


def load_threads(port: int, path: str, duration: float, concurrency: int) -> Result:
    """Fallback without wrk: keep-alive http.client connections in threads. Python's client
    costs CPU on the same cores, so its figures are lower than wrk's."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration

    def run() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine: list[float] = []
        bad = 0
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                continue
            mine.append((time.perf_counter() - started) * 1000)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    started = time.perf_counter()
    threads = [threading.Thread(target=run) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return Result(len(latencies) / elapsed, quantiles[49], quantiles[98], len(latencies), errors[0])


# --- Main ------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--concurrency", type=int, default=16, help="open connections")
    parser.add_argument("--workers", type=int, default=2, help="worker processes per server")
    parser.add_argument("--servers", default="wsgi,asgi,hybrid", help="comma-separated")
    parser.add_argument("--paths", default=",".join(PATHS), help="comma-separated")
    parser.add_argument("--settle", type=float, default=3.0, help="idle wait between runs (s)")
    args = parser.parse_args()
    kinds = [kind.strip() for kind in args.servers.split(",") if kind.strip()]
    paths = [path.strip() for path in args.paths.split(",") if path.strip()]
    load = load_wrk if shutil.which("wrk") else load_threads
    tool = "wrk -t1" if load is load_wrk else "python threads (wrk not found)"

    load_before = os.getloadavg()[0]
    env = bench_env()
    print(f"Preparing {DB_PATH} (migrate, seed_demo, collectstatic) ...", flush=True)
    prepare_database(env)

    results: dict[tuple[str, str], Result] = {}
    skipped: dict[tuple[str, str], int] = {}
    for kind in kinds:
        server = Server(kind, env, args.workers)
        try:
            server.wait_ready()
            for path in paths:
                status, _ = get(server.port, path)
                if status != 200:
                    skipped[kind, path] = status
                    print(f"  {SERVER_LABELS[kind]:<28} {path:<14} answered {status}: skipped")
                    continue
                load(server.port, path, 2.0, args.concurrency)  # warm-up
                wait_idle(server, args.settle)
                print(f"  {SERVER_LABELS[kind]:<28} {path:<14} ...", flush=True)
                results[kind, path] = load(server.port, path, args.duration, args.concurrency)
                wait_idle(server, args.settle)
        finally:
            server.stop()

    cpus = os.cpu_count()
    print()
    print(
        f"Serving benchmark: {args.workers} workers per server, {tool}, "
        f"{args.concurrency} connections, {args.duration:g} s per row, {cpus} CPUs shared "
        "by server and load tool; SQLite, DEBUG off"
    )
    print(
        f"Load average before/after: {load_before:.2f}/{os.getloadavg()[0]:.2f} "
        "(other work on the machine skews every figure)"
    )
    header = f"{'server':<28} {'path':<14} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
    print(header)
    print("-" * len(header))
    for kind in kinds:
        for path in paths:
            if (kind, path) in skipped:
                print(f"{SERVER_LABELS[kind]:<28} {path:<14} skipped: HTTP {skipped[kind, path]}")
                continue
            result = results[kind, path]
            print(
                f"{SERVER_LABELS[kind]:<28} {path:<14} {result.rps:>9.1f} {result.p50_ms:>8.2f} "
                f"{result.p99_ms:>8.2f} {result.errors:>7}"
            )
    if "wsgi" in kinds:
        print()
        for kind in kinds:
            if kind == "wsgi":
                continue
            ratios = [
                f"{path} {results[kind, path].rps / results['wsgi', path].rps:.0%}"
                for path in paths
                if (kind, path) in results and ("wsgi", path) in results
            ]
            print(f"{SERVER_LABELS[kind]} as a share of WSGI req/s: {', '.join(ratios)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
