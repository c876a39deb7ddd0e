#!/usr/bin/env bash
# One image, several roles. The first argument picks what this container runs:
#
#   web      gunicorn, WSGI sync workers, every page           0.0.0.0:8000  (WEB_CONCURRENCY)
#   ws       uvicorn, ASGI, only /ws/ behind the proxy         0.0.0.0:8001  (WS_CONCURRENCY)
#   worker   celery worker (RabbitMQ broker)                                 (CELERY_CONCURRENCY)
#   beat     celery beat, the periodic scheduler (run exactly one)
#   migrate  manage.py migrate, then exit (compose's one-shot, fly's release_command)
#   edge     web + ws + Caddy in one machine, Caddy on :8080 routing /ws/ to uvicorn and the
#            rest to gunicorn (fly.io's "web" process group: see docs/decisions/0002)
#   health   [web|ws|edge|worker|beat]: exits 0 when that role answers (the image's
#            HEALTHCHECK; without a role it looks at what PID 1 runs)
#   manage   ...: manage.py with the given arguments (e.g. `manage createsuperuser`)
#   anything else is executed as given (e.g. `bash`)
set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")/.."

# fly.io may keep the image's ENTRYPOINT in front of a process command that names this
# script again: accept `entrypoint.sh entrypoint.sh web` as `entrypoint.sh web`.
if [[ "${1:-}" == *entrypoint.sh ]]; then
    shift
fi

run_web() {
    exec gunicorn hub.wsgi:application \
        --bind "${WEB_BIND:-0.0.0.0:8000}" \
        --workers "${WEB_CONCURRENCY:-2}" \
        --no-control-socket \
        --access-logfile - \
        --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-*}" \
        --timeout "${WEB_TIMEOUT:-30}" \
        --graceful-timeout 20
}

run_ws() {
    # --workers explicitly: uvicorn would otherwise read WEB_CONCURRENCY, meant for gunicorn.
    # No per-message deflate: it cost a third of the server's CPU per event and ~40 KB per
    # socket at 1,000 clients (bench/live.py); fragments are small. Two workers halved p99.
    exec uvicorn hub.asgi:application \
        --host "${WS_HOST:-0.0.0.0}" \
        --port "${WS_PORT:-8001}" \
        --workers "${WS_CONCURRENCY:-2}" \
        --lifespan off \
        --ws-per-message-deflate false \
        --log-level warning \
        --proxy-headers \
        --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-*}" \
        --timeout-graceful-shutdown 10
}

run_edge() {
    # Three programs, one machine: if any of them exits, stop the others and exit, so the
    # platform restarts the whole machine. SIGTERM/SIGINT are passed on to all three.
    export WEB_BIND=127.0.0.1:8000 WS_HOST=127.0.0.1 WS_PORT=8001
    export PROXY_ADDRESS="${PROXY_ADDRESS:-:8080}"
    export WEB_UPSTREAM=127.0.0.1:8000 WS_UPSTREAM=127.0.0.1:8001
    export XDG_CONFIG_HOME=/tmp/caddy/config XDG_DATA_HOME=/tmp/caddy/data
    local pids=()
    (run_web) & pids+=($!)
    (run_ws) & pids+=($!)
    caddy run --config docker/Caddyfile --adapter caddyfile & pids+=($!)
    # shellcheck disable=SC2317  # called by the trap
    stop() { kill -TERM "${pids[@]}" 2>/dev/null || true; }
    trap stop TERM INT
    local status=0
    wait -n || status=$?
    stop
    wait || true
    exit "$status"
}

check_http() {
    # GET /healthz with a Host that ALLOWED_HOSTS accepts (the first non-wildcard entry).
    python - "$1" <<'PY'
import http.client, os, sys

hosts = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h.strip()]
host = next((h.lstrip(".") for h in hosts if h != "*"), "localhost")
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=4)
try:
    conn.request("GET", "/healthz", headers={"Host": host, "X-Forwarded-Proto": "https"})
    status = conn.getresponse().status
except OSError as error:
    sys.exit(f"healthz: {error}")
sys.exit(0 if status == 200 else f"healthz answered {status}")
PY
}

health() {
    local role="${1:-}"
    if [[ -z "$role" ]]; then
        local cmdline
        cmdline="$(tr '\0' ' ' </proc/1/cmdline)"
        case "$cmdline" in
            *caddy*|*" edge"*) role=edge ;;
            *gunicorn*) role=web ;;
            *uvicorn*) role=ws ;;
            *celery*beat*) role=beat ;;
            *celery*worker*) role=worker ;;
            *) exit 0 ;;  # migrate, manage, a shell: nothing to check
        esac
    fi
    case "$role" in
        web) check_http "${WEB_PORT:-8000}" ;;
        ws) check_http "${WS_PORT:-8001}" ;;
        edge) local proxy="${PROXY_ADDRESS:-:8080}"; check_http 8001 && check_http "${proxy##*:}" ;;
        # Both answer `celery inspect ping` on their own node name (beat with remote control).
        worker) exec celery -A hub inspect ping --timeout 5 -d "celery@${HOSTNAME}" ;;
        beat) exec celery -A hub inspect ping --timeout 5 -d "celerybeat@${HOSTNAME}" ;;
        *) echo "health: unknown role '$role'" >&2; exit 2 ;;
    esac
}

role="${1:-web}"
shift || true
case "$role" in
    web) run_web ;;
    ws) run_ws ;;
    edge) run_edge ;;
    worker)
        exec celery -A hub worker \
            --loglevel "${CELERY_LOG_LEVEL:-INFO}" \
            --concurrency "${CELERY_CONCURRENCY:-2}" \
            "$@"
        ;;
    beat)
        # The schedule file lives in /tmp: the code folder is read-only for this user.
        exec celery -A hub beat \
            --loglevel "${CELERY_LOG_LEVEL:-INFO}" \
            --schedule /tmp/celerybeat-schedule \
            --enable-remote-control \
            "$@"
        ;;
    migrate) exec python manage.py migrate --no-input "$@" ;;
    manage) exec python manage.py "$@" ;;
    health) health "$@" ;;
    *) exec "$role" "$@" ;;
esac
