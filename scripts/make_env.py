"""Writes the ignored .env for `make run` (idempotent): a freshly generated local secret, and
NEXUS_ALLOW_LOOPBACK_BASE_URL=true, so `manage.py` commands run on this machine without
DJANGO_DEBUG (the settings refuse a loopback NEXUS_BASE_URL otherwise: docs/decisions/0025).
An .env written before that line existed gets it added; nothing else in it is touched.

    python scripts/make_env.py [PATH]      # default: .env in the project folder
"""

import secrets
import sys
from pathlib import Path

LOOPBACK = "NEXUS_ALLOW_LOOPBACK_BASE_URL"

path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / ".env"
if not path.exists():
    path.write_text(
        "# Local settings for `make run`; ignored by git. See the README for every variable.\n"
        f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}\n"
        "# This machine's own address in emails' links is meant here (never in production).\n"
        f"{LOOPBACK}=true\n"
    )
    print(f"Wrote {path.name} with a new local secret key.")
elif not any(line.startswith(f"{LOOPBACK}=") for line in path.read_text().splitlines()):
    text = path.read_text()
    path.write_text(
        text
        + ("" if text.endswith("\n") or not text else "\n")
        + "# This machine's own address in emails' links is meant here (never in production).\n"
        f"{LOOPBACK}=true\n"
    )
    print(f"Added {LOOPBACK}=true to {path.name}.")
