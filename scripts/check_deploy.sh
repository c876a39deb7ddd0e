#!/usr/bin/env bash
# `make check-deploy`: the deployment files checked (scripts/check_deploy_files.py: hadolint,
# digests, the compose schema, fly.toml, actionlint, the Caddyfile), including
# `manage.py check --deploy --fail-level WARNING` with exactly fly.toml's environment.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python scripts/check_deploy_files.py "$@"
