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
