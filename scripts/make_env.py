"""Writes the ignored .env with a freshly generated local secret (run by `make run`)."""

import secrets
from pathlib import Path

path = Path(__file__).resolve().parent.parent / ".env"
if not path.exists():
    path.write_text(
        "# Local settings for `make run`; ignored by git. See the README for every variable.\n"
        f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}\n"
    )
    print(f"Wrote {path.name} with a new local secret key.")
