#!/usr/bin/env bash
# make test-api-fuzz: schemathesis against the live /api/v1/schema/, as anonymous, a
# learner's token and a mentor's token, with the checks `not_a_server_error` and
# `response_schema_conformance` (0 server errors, 0 responses outside the schema), failing
# too on a "schema validation mismatch" warning (scripts/api_fuzz_config.py).
# A throwaway SQLite database with the demo data, runserver on 127.0.0.1 only; bounded by
# API_FUZZ_EXAMPLES per operation (5: about 20-40 s per identity on our machines).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT=${API_FUZZ_PORT:-21850}
EXAMPLES=${API_FUZZ_EXAMPLES:-5}
DIR=$(mktemp -d)
unset REDIS_URL CELERY_BROKER_URL
export DATABASE_URL="sqlite:///$DIR/fuzz.sqlite3" DJANGO_DEBUG=true DJANGO_ENV_FILE=/nonexistent \
       NEXUS_API_RATE_ANON=100000/min NEXUS_API_RATE_USER=100000/min

$PY manage.py migrate --no-input -v0
$PY manage.py seed_demo >/dev/null
token() {
    $PY manage.py shell -c "
from accounts.models import User
from accounts import services
user = User.objects.get(email='$1@nexus.example')
print(services.token_create(user=user, name='fuzz', scopes='$2'.split(','), expires_at=None)[1])" | tail -n 1
}
LEARNER=$(token learner read,write)
MENTOR=$(token mentor read,write,moderate)
# Its schemathesis.toml: the warnings that fail the run and the demo data's slugs (see there).
$PY manage.py shell --no-imports -v0 <scripts/api_fuzz_config.py >"$DIR/schemathesis.toml"

$PY manage.py runserver "127.0.0.1:$PORT" --noreload >"$DIR/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$DIR"' EXIT

status=0
for who in anonymous learner mentor; do
    case $who in
        anonymous) auth=() ;;
        learner) auth=(-H "Authorization: Bearer $LEARNER") ;;
        mentor) auth=(-H "Authorization: Bearer $MENTOR") ;;
    esac
    echo "== schemathesis as $who"
    start=$(date +%s)
    code=0
    # From the throwaway folder: schemathesis leaves a .schemathesis/ folder where it runs.
    (cd "$DIR" && timeout 300 "$OLDPWD/.venv/bin/schemathesis" --config-file "$DIR/schemathesis.toml" run "http://127.0.0.1:$PORT/api/v1/schema/" "${auth[@]}" \
        --wait-for-schema 60 --checks not_a_server_error,response_schema_conformance \
        --max-examples "$EXAMPLES" --phases examples,fuzzing --request-timeout 20 \
        --seed 1 --generation-database none --no-color >"$DIR/$who.log" 2>&1) || code=$?
    grep -E "passed|failed|generated|Server error|conformance" "$DIR/$who.log" || tail -n 30 "$DIR/$who.log"
    echo "$who: exit $code in $(( $(date +%s) - start )) s"
    [ "$code" -eq 0 ] || status=1
done
exit $status
