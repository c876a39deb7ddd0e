"""What `make run` hands the processes it starts (read from `make -n`, which prints the
commands without running them)."""

import subprocess
from pathlib import Path

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
