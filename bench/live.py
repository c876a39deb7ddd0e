"""Live-update benchmark: fan-out latency of answer events over WebSockets.

Not a test: it prints figures. Run it from the project folder:

    .venv/bin/python bench/live.py                        # or: make bench-live
    .venv/bin/python bench/live.py --clients 100,1000 --scenarios nexus-core-w1,floor-core-w1
    .venv/bin/python bench/live.py --profile              # py-spy the server at the largest N
    .venv/bin/python bench/live.py --recreate-db          # after a migration changed in place
    .venv/bin/python bench/live.py --no-deflate           # clients offer no permessage-deflate

The services form, as production runs `/ws/`: PostgreSQL (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/nexus_bench_live, created and migrated here), Redis
(REDIS_URL, default redis://127.0.0.1:6379/3: a database of its own, flushed before each
measurement, so nobody else's keys are touched), DEBUG off and a random secret.

For each scenario and each N the script starts a fresh server

    uvicorn <app> --lifespan off --log-level warning --port <free> --workers <1|2>

then a client process (this file with --client: asyncio + the `websockets` client, so
the clients do not share an event loop with the ORM work of the publisher) opens N
WebSockets with an Origin header that ALLOWED_HOSTS accepts, anonymous, following one
public question (`?topics=question:<id>`). Once they are all connected and the "N viewing"
presence broadcasts have settled, this process posts 20 answers ~250 ms apart through
`discussions.services.answer_create`, exactly as a view would. Each answer's body carries
a marker (`bench-answer-<run>-07`); the clients keep the receive time of every answer event
(the fragment with `hx-swap-oob="beforeend:#answer-list"`) and ignore everything else.

Latency is measured from the COMMIT to the receipt, on the one machine clock (time.time()):
an on_commit callback registered before answer_create's own runs first after COMMIT and
stamps the time; then the service's callback renders the fragment once and publishes it.
Per scenario and N the table shows p50 / p99 / max over every (client, event) pair, the
clients that missed any event after waiting up to --wait seconds, the time to connect all
clients (--connect-concurrency handshakes in flight), the presence messages each client got
while connecting, the server's memory per connection (VmRSS of the uvicorn processes after
connecting minus before, over N), the server's CPU per event and the publisher's time from
commit to group_send returning (render + publish).

Scenarios (label: app, channel layer, uvicorn workers):

    nexus-core-w1     hub.asgi:application, channels_redis.core.RedisChannelLayer, 1 worker
    nexus-core-w2     the same with 2 workers
    nexus-pubsub-w1   the same app with channels_redis.pubsub.RedisPubSubChannelLayer, through
                      a settings wrapper under /tmp (the project's settings have no switch)
    floor-core-w1     the floor: a bare consumer (group_add at connect, forwards each text
                      message without Channels' per-message aclose_old_connections), in an
                      ASGI module under /tmp, same server and layer; 20 group_send from here,
                      each the text of a real answer fragment as Nexus sends it (the same
                      bytes, so the same permessage-deflate work per client), marker changed
    floor-tiny-core-w1  the same bare consumer forwarding a 21-byte text (the floor before
                      3 December: it measures the consumer without the payload's cost)
    floor-stock-w1    the same bare consumer with Channels' stock dispatch (a thread hop per
                      message for aclose_old_connections), for comparison (not run by default)
    floor-local-w1    a process-local fan-out: one channel per process joins the group and
                      writes each event to every local socket itself (no per-socket layer
                      receive); what a leaner LiveConsumer could reach

Everything runs on this one machine: server, Redis, PostgreSQL and the clients share its
cores, so the figures are an upper bound of what a server with the machine to itself does.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
SCRATCH = Path("/tmp/nexus-bench-live")
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/nexus_bench_live"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/3"
ANSWER_SIGN = 'hx-swap-oob="beforeend:#answer-list"'
FLOOR_GROUP = "bench.floor"
DEFAULT_SCENARIOS = "nexus-core-w1,floor-core-w1,floor-local-w1,nexus-core-w2,nexus-pubsub-w1"
AIMS = {100: 50.0, 1000: 200.0}  # N -> p99 aim in ms (the issue's)
DEFAULT_PY_SPY = "/tmp/scratch-pyspy/bin/py-spy"


# --- Throw-away modules for the server (under /tmp, never in the project) -------------------

PUBSUB_SETTINGS = '''\
"""hub.settings with the pub/sub channel layer (bench/live.py only)."""
from hub.settings import *  # noqa: F403
from hub.settings import REDIS_URL

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "prefix": "nexus"},
    }
}
'''

FLOOR_APP = '''\
"""The floor for bench/live.py: a bare consumer that joins one group and forwards a tiny
text message. Same Django settings (so the same channel layer) as the project."""
import asyncio
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings")
django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.layers import get_channel_layer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

GROUP = "bench.floor"


class FloorConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def dispatch(self, message):
        # As hub.consumers.LiveConsumer: no aclose_old_connections() per forwarded message.
        if message["type"] == "bench.msg":
            await self.send(text_data=message["text"])
            return
        await super().dispatch(message)


class StockConsumer(FloorConsumer):
    """Channels' own dispatch: aclose_old_connections() before every message."""

    async def dispatch(self, message):
        await AsyncWebsocketConsumer.dispatch(self, message)

    async def bench_msg(self, event):
        await self.send(text_data=event["text"])


class LocalFanout:
    """One channel per process joins the group once; each event is written to every local
    socket directly (no per-socket channel-layer receive, queue, tasks)."""

    def __init__(self):
        self.sockets = set()
        self.ready = None

    async def add(self, consumer):
        if self.ready is None:
            self.ready = asyncio.get_running_loop().create_future()
            layer = get_channel_layer()
            channel = await layer.new_channel()
            await layer.group_add(GROUP, channel)
            self.task = asyncio.ensure_future(self.run(layer, channel))
            self.ready.set_result(True)
        await self.ready
        self.sockets.add(consumer)

    async def run(self, layer, channel):
        while True:
            message = await layer.receive(channel)
            if message.get("type") != "bench.msg":
                continue
            frame = {"type": "websocket.send", "text": message["text"]}
            for consumer in list(self.sockets):
                try:
                    await consumer.base_send(frame)
                except Exception:
                    self.sockets.discard(consumer)


FANOUT = LocalFanout()


class LocalConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        await self.accept()
        await FANOUT.add(self)

    async def disconnect(self, code):
        FANOUT.sockets.discard(self)


application = ProtocolTypeRouter(
    {
        "websocket": URLRouter(
            [
                path("ws/floor/", FloorConsumer.as_asgi()),
                path("ws/stock/", StockConsumer.as_asgi()),
                path("ws/local/", LocalConsumer.as_asgi()),
            ]
        )
    }
)
'''


@dataclass(frozen=True)
class Scenario:
    label: str
    app: str  # "nexus", "floor", "floor-tiny", "floor-stock" or "floor-local"
    layer: str  # "core" or "pubsub"
    workers: int

    @property
    def asgi_app(self) -> str:
        return "hub.asgi:application" if self.app == "nexus" else "nexus_bench_floor:application"

    @property
    def ws_path(self) -> str:
        return {
            "nexus": "/ws/live/",
            "floor": "/ws/floor/",
            "floor-tiny": "/ws/floor/",
            "floor-stock": "/ws/stock/",
            "floor-local": "/ws/local/",
        }[self.app]


def parse_scenario(label: str) -> Scenario:
    match = re.fullmatch(
        r"(nexus|floor-stock|floor-local|floor-tiny|floor)(?:-(core|pubsub))?-w(\d+)", label
    )
    if not match:
        raise SystemExit(f"unknown scenario {label!r} (e.g. nexus-core-w1, floor-pubsub-w2)")
    return Scenario(label, match.group(1), match.group(2) or "core", int(match.group(3)))


# --- Clients (a separate process: python bench/live.py --client JSON) ------------------------


def emit(payload: dict) -> None:
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


async def clients_run(cfg: dict) -> None:
    """Open cfg["n"] WebSockets, record the receive time of each marked event, and report
    on stdout (JSON lines). Commands arrive on stdin: `mark` (snapshot the count of other
    messages: the presence broadcasts seen while connecting), `collect COUNT SECONDS`
    (wait until every client has COUNT events, at most SECONDS, then report and exit)."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    n = cfg["n"]
    sign = cfg["sign"]
    pattern = re.compile(re.escape(cfg["prefix"]) + r"(\d+)")
    received: list[dict[int, float]] = [{} for _ in range(n)]
    others = [0] * n
    closed = [False] * n
    errors: list[str] = []
    connections: list = [None] * n
    readers: list[asyncio.Task] = []
    gate = asyncio.Semaphore(cfg["concurrency"])

    async def reader(i: int, ws) -> None:
        mine = received[i]
        try:
            async for message in ws:
                now = time.time()
                if isinstance(message, str) and sign in message:
                    found = pattern.search(message)
                    if found:
                        mine.setdefault(int(found.group(1)), now)
                        continue
                others[i] += 1
        except ConnectionClosed:
            pass
        closed[i] = True

    async def open_one(i: int) -> None:
        async with gate:
            for attempt in range(3):
                try:
                    ws = await connect(
                        cfg["url"],
                        origin=cfg["origin"],
                        compression="deflate" if cfg["deflate"] else None,
                        proxy=None,
                        open_timeout=60,
                        ping_interval=None,
                        max_size=2**22,
                    )
                except Exception as error:  # counted and reported
                    if attempt == 2:
                        errors.append(f"{type(error).__name__}: {error}")
                        closed[i] = True
                        return
                    await asyncio.sleep(0.2)
                else:
                    break
        connections[i] = ws
        readers.append(asyncio.create_task(reader(i, ws)))

    commands: asyncio.Queue[str] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    def read_stdin() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(commands.put_nowait, line.strip())
        loop.call_soon_threadsafe(commands.put_nowait, "eof")

    threading.Thread(target=read_stdin, daemon=True).start()

    cpu0 = time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(open_one(i) for i in range(n)))
    emit(
        {
            "phase": "connected",
            "seconds": time.perf_counter() - started,
            "ok": sum(c is not None for c in connections),
            "errors": errors[:5],
            "failed": len(errors),
        }
    )
    others_at_mark = list(others)
    while True:
        command = await commands.get()
        if command == "mark":
            others_at_mark = list(others)
            cpu0 = time.process_time()
        elif command.startswith("collect"):
            _, count, seconds = command.split()
            deadline = time.monotonic() + float(seconds)
            while time.monotonic() < deadline:
                if all(len(r) >= int(count) for r in received):
                    break
                await asyncio.sleep(0.02)
            emit(
                {
                    "phase": "result",
                    "received": [{str(k): v for k, v in r.items()} for r in received],
                    "presence": others_at_mark,
                    "others_total": others,
                    "closed": sum(closed),
                    "cpu_s": time.process_time() - cpu0,
                }
            )
            os._exit(0)  # the server is stopped next; no closing handshakes to wait for
        elif command == "eof":
            os._exit(1)


def client_main(raw: str) -> int:
    cfg = json.loads(raw)
    raise_open_files()
    try:
        import uvloop
    except ImportError:
        asyncio.run(clients_run(cfg))
    else:
        asyncio.run(clients_run(cfg), loop_factory=uvloop.new_event_loop)
    return 0


# --- Environment --------------------------------------------------------------------------


def raise_open_files() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 1 << 20
    want = min(want, 1 << 20)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def configure_environment() -> None:
    """The services form, DEBUG off, a random secret; children inherit os.environ."""
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ["REDIS_URL"] = os.environ.get("BENCH_LIVE_REDIS_URL", DEFAULT_REDIS_URL)
    os.environ["DJANGO_SETTINGS_MODULE"] = "hub.settings"
    os.environ["DJANGO_SECRET_KEY"] = "bench-" + secrets.token_urlsafe(48)
    os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    os.environ["NEXUS_ALLOW_LOOPBACK_BASE_URL"] = "true"  # served on this machine only
    os.environ.pop("DJANGO_DEBUG", None)
    # The ignored .env of `make run` must not switch anything on (real variables win anyway).
    os.environ["DJANGO_ENV_FILE"] = "/dev/null"
    for name in ("CELERY_BROKER_URL", "EMAIL_URL", "DJANGO_HTTPS"):
        os.environ.pop(name, None)
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    os.environ["PYTHONPATH"] = os.pathsep.join([str(SCRATCH), str(BASE_DIR)])
    SCRATCH.mkdir(exist_ok=True)
    (SCRATCH / "nexus_bench_pubsub.py").write_text(PUBSUB_SETTINGS)
    (SCRATCH / "nexus_bench_floor.py").write_text(FLOOR_APP)


def database_create(*, recreate: bool = False) -> None:
    """CREATE DATABASE if it is missing (connecting to the server's `postgres` database);
    with `recreate`, DROP it first (only a database whose name starts with nexus_bench)."""
    import environ
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    if "postgresql" not in config["ENGINE"]:
        return
    params = {
        "host": config.get("HOST") or "127.0.0.1",
        "port": config.get("PORT") or 5432,
        "user": config.get("USER") or "postgres",
        "dbname": "postgres",
    }
    if config.get("PASSWORD"):
        params["password"] = config["PASSWORD"]
    with psycopg.connect(**params, autocommit=True) as conn:
        name = config["NAME"]
        if recreate:
            if not name.startswith("nexus_bench"):
                raise SystemExit(f"--recreate-db refuses to drop {name!r} (not nexus_bench*)")
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


def redis_flush() -> None:
    """Empty the benchmark's own Redis database (REDIS_URL's db number, never 0)."""
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    db = client.connection_pool.connection_kwargs.get("db", 0)
    if int(db) == 0:
        raise SystemExit("REDIS_URL must name a database other than 0 for this benchmark")
    client.flushdb()
    client.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- The server -----------------------------------------------------------------------------


class Server:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.port = free_port()
        env = dict(os.environ)
        if scenario.layer == "pubsub":
            env["DJANGO_SETTINGS_MODULE"] = "nexus_bench_pubsub"
        self.command = [
            str(VENV_BIN / "uvicorn"),
            scenario.asgi_app,
            "--lifespan", "off",
            "--log-level", "warning",
            "--port", str(self.port),
            "--workers", str(scenario.workers),
        ]  # fmt: skip
        self.log = open(SCRATCH / f"server-{scenario.label}.log", "a")  # noqa: SIM115
        self.process = subprocess.Popen(
            self.command,
            cwd=BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends master and workers
        )

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, query: str = "") -> str:
        return f"ws://127.0.0.1:{self.port}{self.scenario.ws_path}{query}"

    def wait_ready(self, query: str, timeout: float = 60.0) -> None:
        """Until a WebSocket handshake succeeds in every worker (a few tries)."""
        from websockets.sync.client import connect

        deadline = time.monotonic() + timeout
        successes = 0
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited; see {self.log.name}")
            try:
                with connect(self.url(query), origin=self.origin, proxy=None, open_timeout=5):
                    successes += 1
            except Exception:  # not up yet
                time.sleep(0.2)
                continue
            if successes >= 2 * self.scenario.workers:
                self._warm(query)
                return
        raise RuntimeError(f"server did not accept a WebSocket within {timeout:g}s")

    def _warm(self, query: str) -> None:
        """Open a few sockets at once (so each worker takes some), then close them: the
        baseline memory is then that of a warmed server."""
        from websockets.sync.client import connect

        def one() -> None:
            try:
                with connect(self.url(query), origin=self.origin, proxy=None, open_timeout=10):
                    time.sleep(0.3)
            except Exception:  # warming is best effort
                pass

        threads = [threading.Thread(target=one) for _ in range(8 * self.scenario.workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def pids(self) -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) == self.process.pid:  # pgrp
                found.append(int(entry.name))
        return found

    def rss_kb(self) -> int:
        total = 0
        for pid in self.pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            if match := re.search(r"^VmRSS:\s+(\d+) kB", status, re.M):
                total += int(match.group(1))
        return total

    def cpu_seconds(self) -> float:
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime + stime
        return total / ticks

    def worker_pids(self) -> list[int]:
        """The processes that serve sockets (the uvicorn supervisor's children, or itself)."""
        pids = self.pids()
        children = [pid for pid in pids if pid != self.process.pid]
        return children or [self.process.pid]

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=8)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            except ProcessLookupError:
                pass
        # Workers that outlived their supervisor (they share its process group).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


class Clients:
    def __init__(self, cfg: dict) -> None:
        self.log = open(SCRATCH / "clients.log", "a")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--client", json.dumps(cfg)],
            cwd=BASE_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )

    def read(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"client process ended early; see {self.log.name}")
        return json.loads(line)

    def command(self, text: str) -> None:
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.log.close()


# --- Publishing -----------------------------------------------------------------------------


@dataclass
class Context:
    run_id: str
    question: object = None
    category: object = None
    publish_log: list[tuple[float, int, bool]] = field(default_factory=list)
    # The last answer fragment Nexus published: the floor forwards the same text.
    sample_fragment: str | None = None
    # Wall time at which the answer event's own publish (group_send) started, per event.
    answer_publish_at: dict[int, float] = field(default_factory=dict)
    current: int = -1


def answer_body(marker: str) -> str:
    """A short, typical answer (prose and inline code; no highlighted block)."""
    return (
        f"{marker}: keep the consumer thin. Render the fragment once per event and let the "
        "channel layer fan it out; a forwarding consumer that never touches the ORM after "
        "connect can skip `aclose_old_connections()` for each message. Then measure the "
        "**p99** at a thousand tabs, not the average."
    )


def setup_django(ctx: Context) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)

    from discussions.demo import seed_categories

    ctx.category = next(c for c in seed_categories() if c.slug == "django")

    # Record each publish's size, duration and outcome (this process only; no file edited).
    from hub import live

    original = live.publish

    def timed_publish(topic_key: str, html: str, event: dict | None = None) -> bool:
        if ANSWER_SIGN in html:
            ctx.sample_fragment = html
            if ctx.current >= 0:
                ctx.answer_publish_at[ctx.current] = time.time()
        started = time.perf_counter()
        ok = original(topic_key, html, event)
        ctx.publish_log.append((time.perf_counter() - started, len(html.encode()), ok))
        return ok

    live.publish = timed_publish


def new_thread(ctx: Context, tag: str) -> None:
    """A fresh question per measurement, so its followers (the asker and each answer's
    author, who are notified of every later answer) are only this measurement's."""
    from accounts.services import user_create
    from discussions.services import question_create

    asker = user_create(email=f"q-{tag}@bench.nexus.invalid", handle=f"bq-{tag}", password=None)
    ctx.question = question_create(
        author=asker,
        title=f"Benchmark thread for live answers ({tag})",
        body="How fast do live answers reach a thousand open tabs?",
        category=ctx.category,
        tags="channels,redis",
    )


def make_authors(ctx: Context, tag: str, count: int) -> list:
    """One new account per answer: the services' posting limits count per account."""
    from accounts.services import user_create

    return [
        user_create(
            email=f"a-{tag}-{i}@bench.nexus.invalid", handle=f"ba-{tag}-{i:02d}", password=None
        )
        for i in range(count)
    ]


def layer_override(scenario: Scenario):
    from contextlib import nullcontext

    from django.conf import settings
    from django.test import override_settings

    if scenario.layer != "pubsub":
        return nullcontext()
    return override_settings(
        CHANNEL_LAYERS={
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": [settings.REDIS_URL], "prefix": "nexus"},
            }
        }
    )


def post_answers(
    ctx: Context, authors: list, prefix: str, count: int, interval: float
) -> tuple[dict[int, float], list[float]]:
    """Answers through the service; stamps[i] = time.time() right after COMMIT."""
    from django.db import transaction

    from discussions.services import answer_create

    stamps: dict[int, float] = {}
    publish_ms: list[float] = []
    next_at = time.monotonic()
    for i in range(count):
        ctx.current = i
        with transaction.atomic():
            # Registered before answer_create's own callback, so it runs first after COMMIT.
            transaction.on_commit(lambda i=i: stamps.__setitem__(i, time.time()))
            answer_create(
                author=authors[i], question=ctx.question, body=answer_body(prefix + f"{i:02d}")
            )
        publish_ms.append((ctx.answer_publish_at.get(i, time.time()) - stamps[i]) * 1000)
        next_at += interval
        time.sleep(max(0.0, next_at - time.monotonic()))
    ctx.current = -1
    return stamps, publish_ms


_MARKER = re.compile(r"bench-answer-\w+?-\d\d")


def floor_payload(ctx: Context) -> str:
    """A real answer fragment as Nexus publishes it, with "{marker}" where its marker was:
    the last one published in this run, or one posted now (to a thread nobody follows)."""
    if ctx.sample_fragment is None:
        from django.db import transaction

        from discussions.services import answer_create

        tag = f"{ctx.run_id}fp"
        new_thread(ctx, tag)
        with transaction.atomic():
            answer_create(
                author=make_authors(ctx, tag, 1)[0],
                question=ctx.question,
                body=answer_body(f"bench-answer-{tag}-00"),
            )
    assert ctx.sample_fragment is not None, "answer_create published no fragment"
    text, found = _MARKER.subn(
        "{marker}", ctx.sample_fragment.replace("{", "{{").replace("}", "}}")
    )
    assert found, "the sample fragment carries no marker"
    return text


def send_floor(
    prefix: str, count: int, interval: float, payload: str = "{marker}"
) -> tuple[dict[int, float], list[float]]:
    """group_send of `payload` with each event's marker (prefix + its number)."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    stamps: dict[int, float] = {}
    publish_ms: list[float] = []
    next_at = time.monotonic()
    for i in range(count):
        stamps[i] = time.time()
        async_to_sync(layer.group_send)(
            FLOOR_GROUP, {"type": "bench.msg", "text": payload.format(marker=prefix + f"{i:02d}")}
        )
        publish_ms.append((time.time() - stamps[i]) * 1000)
        next_at += interval
        time.sleep(max(0.0, next_at - time.monotonic()))
    return stamps, publish_ms


# --- One measurement ------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    n: int
    connected: int = 0
    connect_s: float = 0.0
    p50: float = float("nan")
    p99: float = float("nan")
    max: float = float("nan")
    missed_clients: int = 0
    missed_pairs: int = 0
    presence_per_client: float = 0.0
    kb_per_conn: float = 0.0
    cpu_ms_per_event: float = 0.0
    publish_ms: float = 0.0
    fragment_bytes: int = 0
    client_cpu_s: float = 0.0
    fanout_p50: float = float("nan")
    fanout_p99: float = float("nan")
    note: str = ""


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def measure(ctx: Context, scenario: Scenario, n: int, args, index: int) -> Row:
    row = Row(scenario.label, n)
    tag = f"{ctx.run_id}{index:02d}"
    sent_at: dict[int, float] = {}
    if scenario.app == "nexus":
        new_thread(ctx, tag)
        ctx.answer_publish_at = sent_at
        prefix, sign = f"bench-answer-{tag}-", ANSWER_SIGN
        query = f"?topics=question:{ctx.question.pk}"
        authors = make_authors(ctx, tag, args.events)
        payload = ""
    else:
        prefix, sign, query = f"bench-msg-{tag}-", "bench-msg-", ""
        payload = "{marker}" if scenario.app == "floor-tiny" else floor_payload(ctx)
    redis_flush()
    server = Server(scenario)
    clients = None
    try:
        server.wait_ready(query)
        time.sleep(1.5)  # the readiness sockets' leave broadcasts, then a quiet server
        rss_before = server.rss_kb()
        clients = Clients(
            {
                "url": server.url(query),
                "origin": server.origin,
                "n": n,
                "concurrency": args.connect_concurrency,
                "prefix": prefix,
                "sign": sign,
                "deflate": not args.no_deflate,
            }
        )
        connected = clients.read()
        row.connected, row.connect_s = connected["ok"], connected["seconds"]
        if connected["failed"]:
            row.note = f"{connected['failed']} failed to connect: {connected['errors'][:1]}"
        time.sleep(args.settle)  # presence broadcasts are coalesced over 1 s per process
        rss_after = server.rss_kb()
        row.kb_per_conn = (rss_after - rss_before) / max(1, row.connected)
        clients.command("mark")
        profiler = None
        if args.profile and scenario.app == "nexus" and n == max(args.client_counts):
            profiler = start_profiler(args, server, scenario, n)
        cpu_before = server.cpu_seconds()
        log_start = len(ctx.publish_log)
        with layer_override(scenario):
            if scenario.app == "nexus":
                stamps, publish_ms = post_answers(ctx, authors, prefix, args.events, args.interval)
            else:
                stamps, publish_ms = send_floor(prefix, args.events, args.interval, payload)
                sent_at = stamps
        clients.command(f"collect {args.events} {args.wait}")
        result = clients.read()
        row.cpu_ms_per_event = (server.cpu_seconds() - cpu_before) * 1000 / args.events
        if profiler is not None:
            finish_profiler(*profiler)
        row.publish_ms = sorted(publish_ms)[len(publish_ms) // 2]
        sizes = [size for _, size, _ in ctx.publish_log[log_start:] if size > 1000] or [
            size for _, size, _ in ctx.publish_log[log_start:]
        ]
        failed_publishes = sum(not ok for _, _, ok in ctx.publish_log[log_start:])
        if failed_publishes:
            row.note += f" {failed_publishes} publishes failed"
        row.fragment_bytes = (
            sizes[0]
            if scenario.app == "nexus" and sizes
            else len(payload.format(marker=prefix + "00").encode())
        )
        latencies, fanout = [], []
        for received in result["received"]:
            got = {int(k): v for k, v in received.items()}
            missing = [i for i in range(args.events) if i not in got]
            if missing:
                row.missed_clients += 1
                row.missed_pairs += len(missing)
            latencies.extend((got[i] - stamps[i]) * 1000 for i in got if i in stamps)
            fanout.extend((got[i] - sent_at[i]) * 1000 for i in got if i in sent_at)
        row.p50, row.p99, row.max = (percentile(latencies, q) for q in (50, 99, 100))
        row.fanout_p50, row.fanout_p99 = percentile(fanout, 50), percentile(fanout, 99)
        if args.per_event:
            per_event = []
            for i in range(args.events):
                got = [r[str(i)] - stamps[i] for r in result["received"] if str(i) in r]
                per_event.append(
                    f"{percentile(got, 50) * 1000:.0f}/{percentile(got, 100) * 1000:.0f}"
                )
            print(f"\n    per event p50/max ms: {' '.join(per_event)}", end="")
        row.presence_per_client = sum(result["presence"]) / max(1, n)
        row.client_cpu_s = result["cpu_s"]
    finally:
        if clients is not None:
            clients.stop()
        server.stop()
    return row


# --- Profiling (optional) -------------------------------------------------------------------


def start_profiler(args, server: Server, scenario: Scenario, n: int):
    py_spy = args.py_spy
    if not Path(py_spy).exists():
        print(f"  (no py-spy at {py_spy}: install it into a scratch venv; not profiling)")
        return None
    pid = server.worker_pids()[0]
    out = SCRATCH / f"profile-{scenario.label}-{n}.txt"
    seconds = int(args.events * args.interval + 3)
    command = [py_spy, "record", "-p", str(pid), "-d", str(seconds), "-r", "250"]
    command += ["--format", "raw", "-o", str(out), "--nonblocking"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process, out


def finish_profiler(process: subprocess.Popen, out: Path) -> None:
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if not out.exists():
        print("  (py-spy wrote nothing)")
        return
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    for line in out.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = [re.sub(r" \(.*?/site-packages/", " (", f) for f in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + samples
        own[frames[-1]] = own.get(frames[-1], 0) + samples
    print(f"\n  py-spy: {total} samples of the server during the events -> {out}")
    print("  top own time:")
    for frame, samples in sorted(own.items(), key=lambda kv: -kv[1])[:15]:
        print(f"    {samples / total:6.1%}  {frame[:110]}")
    print("  top inclusive time:")
    for frame, samples in sorted(inclusive.items(), key=lambda kv: -kv[1])[:25]:
        print(f"    {samples / total:6.1%}  {frame[:110]}")


# --- Main -----------------------------------------------------------------------------------


def print_table(rows: list[Row], args, started: float) -> None:
    print()
    print(
        f"Live fan-out: {args.events} events {args.interval * 1000:.0f} ms apart per row, "
        f"latency from COMMIT (floor: before group_send) to receipt; {os.cpu_count()} CPUs "
        "shared by server, clients, Redis and PostgreSQL; permessage-deflate "
        f"{'off' if args.no_deflate else 'on (as browsers offer it)'}"
    )
    header = (
        f"{'scenario':<18} {'N':>5} {'conn s':>7} {'pres/cl':>7} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'max ms':>7} {'missed':>6} {'KB/conn':>7} {'srvCPU ms/ev':>12} {'pub ms':>6} "
        f"{'frag B':>6} {'clCPU ms/ev':>11} {'pub->rx p50/p99':>15}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row.label:<18} {row.n:>5} {row.connect_s:>7.2f} {row.presence_per_client:>7.1f} "
            f"{row.p50:>7.1f} {row.p99:>7.1f} {row.max:>7.1f} {row.missed_clients:>6} "
            f"{row.kb_per_conn:>7.1f} {row.cpu_ms_per_event:>12.1f} {row.publish_ms:>6.1f} "
            f"{row.fragment_bytes:>6} {row.client_cpu_s * 1000 / args.events:>11.1f} "
            f"{f'{row.fanout_p50:.1f}/{row.fanout_p99:.1f}':>15}"
            + (f"  {row.note.strip()}" if row.note else "")
        )
    print()
    print(
        f"conn s: time to open all N sockets ({args.connect_concurrency} handshakes in flight); "
        "pres/cl: presence messages per client while connecting; missed: clients without "
        f"every event after {args.wait:g}s; KB/conn: server VmRSS growth / N; srvCPU: server "
        "CPU per event; pub ms: commit -> the answer event's group_send starts (the on_commit "
        "callbacks before it: notifications; then the render), median; pub->rx: from that "
        "group_send to receipt (the fan-out alone); "
        "frag B: event size; clCPU: the client process's CPU per event (same cores)."
    )
    if args.profile:
        print(
            "Profiled run: py-spy shares the cores, so the profiled row's latencies are inflated."
        )
    for row in rows:
        if row.label.startswith("nexus-core-w1") and row.n in AIMS:
            aim = AIMS[row.n]
            verdict = "met" if row.p99 <= aim and row.missed_clients == 0 else "MISSED"
            print(
                f"Aim at {row.n} clients (p99 <= {aim:g} ms, 0 missed): {verdict} "
                f"(p99 {row.p99:.1f} ms, {row.missed_clients} missed)"
            )
    by = {(row.label, row.n): row for row in rows}
    for n in args.client_counts:
        nexus = by.get(("nexus-core-w1", n))
        for floor_label in ("floor-core-w1", "floor-tiny-core-w1"):
            floor = by.get((floor_label, n))
            if nexus is None or floor is None or not floor.p99 > 0:
                continue
            ratio = nexus.p99 / floor.p99
            verdict = ""
            if floor_label == "floor-core-w1" and n == 1000:
                verdict = f" (issue 16 target <= 2x: {'met' if ratio <= 2 else 'MISSED'})"
            print(
                f"p99 at {n} clients, nexus-core-w1 / {floor_label}: "
                f"{nexus.p99:.1f} / {floor.p99:.1f} ms = {ratio:.2f}x{verdict}"
            )
    print(f"Load average now: {os.getloadavg()[0]:.2f}; total {time.monotonic() - started:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--client", help=argparse.SUPPRESS)
    parser.add_argument("--clients", default="100,500,1000", help="comma-separated N")
    parser.add_argument("--scenarios", default=DEFAULT_SCENARIOS, help="comma-separated")
    parser.add_argument("--events", type=int, default=20, help="answers per measurement")
    parser.add_argument("--interval", type=float, default=0.25, help="seconds between events")
    parser.add_argument("--wait", type=float, default=10.0, help="straggler wait (s)")
    parser.add_argument("--settle", type=float, default=3.0, help="wait after connecting (s)")
    parser.add_argument("--connect-concurrency", type=int, default=100)
    parser.add_argument("--per-event", action="store_true", help="print each event's p50/max")
    parser.add_argument("--no-deflate", action="store_true", help="clients offer no deflate")
    parser.add_argument(
        "--recreate-db", action="store_true", help="drop and recreate the nexus_bench* database"
    )
    parser.add_argument("--profile", action="store_true", help="py-spy nexus at the largest N")
    parser.add_argument("--py-spy", default=DEFAULT_PY_SPY, help="py-spy executable")
    args = parser.parse_args()
    if args.client:
        return client_main(args.client)
    args.client_counts = [int(n) for n in args.clients.split(",") if n.strip()]
    scenarios = [parse_scenario(s.strip()) for s in args.scenarios.split(",") if s.strip()]

    started = time.monotonic()
    limit = raise_open_files()
    if limit < max(args.client_counts) * 2 + 100:
        print(f"warning: open-files limit {limit} is low for {max(args.client_counts)} clients")
    configure_environment()
    sys.path.insert(0, str(BASE_DIR))
    database_create(recreate=args.recreate_db)
    ctx = Context(run_id=secrets.token_hex(3))
    print(
        f"Database {os.environ['DATABASE_URL']} (migrated), Redis {os.environ['REDIS_URL']}, "
        f"run {ctx.run_id}",
        flush=True,
    )
    setup_django(ctx)

    rows: list[Row] = []
    index = 0
    for scenario in scenarios:
        for n in args.client_counts:
            index += 1
            print(f"  {scenario.label:<16} N={n:<5} ...", end="", flush=True)
            try:
                row = measure(ctx, scenario, n, args, index)
            except Exception as error:  # report it and go on with the others
                print(f" failed: {error}", flush=True)
                rows.append(Row(scenario.label, n, note=f"failed: {error}"))
                continue
            rows.append(row)
            print(
                f" p50 {row.p50:.1f} / p99 {row.p99:.1f} / max {row.max:.1f} ms, "
                f"{row.missed_clients} missed, connect {row.connect_s:.2f} s",
                flush=True,
            )
    redis_flush()
    print_table(rows, args, started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
