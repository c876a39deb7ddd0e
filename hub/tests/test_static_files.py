"""Static files in the production form (DEBUG off, whitenoise's compressed manifest
storage): hashed names, far-future immutable caching, compressed when the browser accepts
it. Run in a child process: the test settings serve files straight from the apps."""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
import django
django.setup()
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client
from django.test.utils import override_settings

with override_settings(STATIC_ROOT=sys.argv[1]):
    call_command("collectstatic", interactive=False, verbosity=0)
    url = static("css/nexus.css")
    gzipped = Client().get(url, headers={"accept-encoding": "gzip"})
    plain = Client().get(url)
    print(json.dumps({
        "url": url,
        "status": gzipped.status_code,
        "cache_control": gzipped["Cache-Control"],
        "encoding": gzipped.get("Content-Encoding"),
        "vary": gzipped.get("Vary"),
        "plain_encoding": plain.get("Content-Encoding"),
    }))
"""


def test_static_files_are_hashed_compressed_and_cached_for_ever(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "static-probe-" + "k" * 60,
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "NEXUS_ALLOW_LOOPBACK_BASE_URL": "true",
        "PYTHONPATH": str(BASE_DIR),
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "static")],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["status"] == 200
    assert seen["url"].startswith("/static/css/nexus.") and seen["url"] != "/static/css/nexus.css"
    assert seen["cache_control"] == "max-age=315360000, public, immutable"
    assert seen["encoding"] == "gzip" and "Accept-Encoding" in seen["vary"]
    assert seen["plain_encoding"] is None
