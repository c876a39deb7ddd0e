"""What `make run` hands the processes it starts (read from `make -n`, which prints the
commands without running them)."""

import io
import logging
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def commands(*args: str) -> list[str]:
    done = subprocess.run(
        ["make", "-n", "run", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if "manage.py" in line]


def test_links_in_emails_follow_the_port_served():
    lines = commands("PORT=8123")
    assert lines and all("NEXUS_BASE_URL=http://127.0.0.1:8123 " in line for line in lines)
    served_everywhere = commands("HOST=0.0.0.0", "PORT=8124")
    assert "NEXUS_BASE_URL=http://127.0.0.1:8124 " in served_everywhere[-1]
    assert served_everywhere[-1].endswith("runserver 0.0.0.0:8124")


def test_make_run_starts_two_processes_not_three():
    # prepare_dev migrates only when something is pending and seeds in the same process.
    steps = [line.split("manage.py ", 1)[1] for line in commands()]
    assert steps == ["prepare_dev", "runserver 127.0.0.1:8000"]


def test_install_compiles_bytecode():
    # Where PYTHONDONTWRITEBYTECODE is set, every start would compile ~1,200 modules.
    done = subprocess.run(
        ["make", "-n", "-B", "install"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert "uv pip sync" in done.stdout and "--compile-bytecode" in done.stdout


@pytest.mark.django_db
def test_prepare_dev_seeds_and_migrates_only_when_pending(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("prepare_dev", stdout=out)
    assert "Applying" not in out.getvalue()  # the test database is migrated
    assert "Demo data ready" in out.getvalue()


def _handlers_below_root(name: str) -> list[logging.Handler]:
    logger, reached = logging.getLogger(name), []
    while logger.parent:
        reached += logger.handlers
        if not logger.propagate:
            break
        logger = logger.parent
    return reached


def test_each_server_line_is_printed_once():
    # Django's own console handler on "django" printed each line beside the root's handler.
    for name in ("django.utils.autoreload", "django.channels.server", "django.request"):
        assert _handlers_below_root(name) == [], name


def test_socket_lifecycle_lines_are_quiet(caplog):
    server = logging.getLogger("django.channels.server")
    with caplog.at_level(logging.INFO, logger="django.channels.server"):
        for line in ("WebSocket HANDSHAKING %(path)s", "WebSocket CONNECT %(path)s"):
            server.info(line, {"path": "/ws/live/"})
        server.info("WebSocket DISCONNECT %(path)s", {"path": "/ws/live/"})
        server.info("WebSocket REJECT %(path)s", {"path": "/ws/live/"})
        server.info("HTTP GET %(path)s 200", {"path": "/"})
    assert [r.getMessage() for r in caplog.records] == [
        "WebSocket REJECT /ws/live/",
        "HTTP GET / 200",
    ]


def test_the_local_env_file_lets_commands_run_without_debug(tmp_path):
    """`manage.py set_role ...` (README) runs without DJANGO_DEBUG on a machine `make run`
    set up: its .env says this machine's loopback base URL is meant (docs/decisions/0025)."""
    import sys

    from hub.tests.test_settings import BASE_URL_PROBE, read_settings

    def make_env(path: Path) -> None:
        subprocess.run([sys.executable, "scripts/make_env.py", str(path)], cwd=ROOT, check=True)

    fresh = tmp_path / "fresh.env"
    make_env(fresh)
    older = tmp_path / "older.env"  # written before the line existed
    older.write_text("DJANGO_SECRET_KEY=an-older-local-secret-0123456789abcdefghijklmnop\n")
    make_env(older)
    make_env(older)  # idempotent
    assert older.read_text().count("NEXUS_ALLOW_LOOPBACK_BASE_URL=true") == 1
    assert older.read_text().startswith("DJANGO_SECRET_KEY=an-older-local-secret")
    for path in (fresh, older):
        result = read_settings(BASE_URL_PROBE, DJANGO_ENV_FILE=str(path))
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "http://127.0.0.1:8000"
