#!/usr/bin/env bash
# make test-graphql-fuzz: schemathesis in GraphQL mode against the live /graphql/ (the
# schema read by introspection), as anonymous (the session door: a CSRF cookie and its
# header, as a browser sends them), a learner's token and a mentor's token. Every query and
# mutation field is an operation. Checks: `not_a_server_error` (no 5xx, and no GraphQL
# error that is the server's own: schemathesis reads `extensions.code`, and an unlabelled
# error beside data counts as ours), `response_schema_conformance` (every answer a GraphQL
# response within the schema), and scripts/graphql_fuzz_hooks.py's `no_leak_in_errors` (no
# traceback, SQL or setting in any error). A traceback in the server's log (only our own
# failures are logged: hub.graphql.Schema) fails the run too.
# A throwaway SQLite database with the demo data, runserver on 127.0.0.1 only; bounded by
# GRAPHQL_FUZZ_EXAMPLES per operation (6: 384 cases, 10-20 s per identity here; the
# migrate and demo data take longer than the fuzzing).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT=${GRAPHQL_FUZZ_PORT:-21851}
EXAMPLES=${GRAPHQL_FUZZ_EXAMPLES:-6}
DIR=$(mktemp -d)
unset REDIS_URL CELERY_BROKER_URL
export DATABASE_URL="sqlite:///$DIR/fuzz.sqlite3" DJANGO_DEBUG=true DJANGO_ENV_FILE=/nonexistent \
       GRAPHQL_COST_BUDGET_PER_MINUTE=100000000

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
# Real global ids of the demo data (a few of each type), so fuzzed ids reach the
# resolvers and services, not only the "no such thing" answer (scripts/graphql_fuzz_hooks.py).
$PY manage.py shell -c "
import base64
from django.apps import apps
TYPES = {'Answer': 'discussions.Answer', 'Case': 'moderation.Case',
         'Category': 'discussions.Category', 'Comment': 'discussions.Comment',
         'Feedback': 'projects.Feedback', 'Guide': 'guides.Guide',
         'GuideFeedback': 'guides.HelpfulVote', 'GuideProposal': 'guides.EditProposal',
         'GuideSection': 'guides.Section', 'ModerationLogEntry': 'moderation.LogEntry',
         'Notification': 'notifications.Notification', 'Project': 'projects.Project',
         'Question': 'discussions.Question', 'User': 'accounts.User'}
for name, label in TYPES.items():
    for pk in apps.get_model(label).objects.order_by('pk').values_list('pk', flat=True)[:6]:
        print(base64.b64encode(f'{name}:{pk}'.encode()).decode())" >"$DIR/ids.txt"
export GRAPHQL_FUZZ_IDS="$DIR/ids.txt"
echo "$(wc -l <"$DIR/ids.txt") real global ids for the fuzzer"

$PY manage.py runserver "127.0.0.1:$PORT" --noreload >"$DIR/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$DIR"' EXIT
URL="http://127.0.0.1:$PORT/graphql/"
for _ in $(seq 1 60); do
    curl -fsS -o /dev/null "$URL" 2>/dev/null && break
    sleep 1
done
# Anonymous visitors use the session door: GraphiQL's page sets the CSRF cookie.
CSRF=$(curl -fsS -c - -o /dev/null "$URL" | awk '$6 == "csrftoken" { print $7 }')

status=0
for who in anonymous learner mentor; do
    case $who in
        anonymous) auth=(-H "Cookie: csrftoken=$CSRF" -H "X-CSRFToken: $CSRF") ;;
        learner) auth=(-H "Authorization: Bearer $LEARNER") ;;
        mentor) auth=(-H "Authorization: Bearer $MENTOR") ;;
    esac
    echo "== schemathesis (GraphQL) as $who"
    start=$(date +%s)
    code=0
    # From the throwaway folder: schemathesis leaves a .schemathesis/ folder where it runs.
    (cd "$DIR" && SCHEMATHESIS_HOOKS=graphql_fuzz_hooks PYTHONPATH="$OLDPWD/scripts" \
        timeout 300 "$OLDPWD/.venv/bin/schemathesis" run "$URL" "${auth[@]}" \
        --wait-for-schema 60 --checks not_a_server_error,response_schema_conformance,no_leak_in_errors \
        --max-examples "$EXAMPLES" --phases fuzzing --request-timeout 20 \
        --seed 1 --generation-database none --no-color >"$DIR/$who.log" 2>&1) || code=$?
    grep -E "Operations:|generated|never returned data|failures? in" "$DIR/$who.log" || tail -n 30 "$DIR/$who.log"
    echo "$who: exit $code in $(( $(date +%s) - start )) s"
    [ "$code" -eq 0 ] || { status=1; tail -n 80 "$DIR/$who.log"; }
done
if grep -q "Traceback" "$DIR/server.log"; then
    echo "the server logged a traceback:"; grep -A 30 "Traceback" "$DIR/server.log" | head -n 60
    status=1
fi
exit $status
