#!/usr/bin/env bash
# tests/ops/run-signals.sh — `make run` stopped the way a supervisor or a
# closing terminal stops it: signals sent to its whole process group, several
# in a row. However many arrive, scripts/run must exit 0 with its PostgreSQL
# and Redis stopped and nothing of its process group left.
#
# It runs scripts/run in its own session under var/test-run, on ports of its
# own (RUN_TEST_* below), so it never meets a developer's `make run` or the
# suite's services. RUN_BUILD picks an existing build directory (scripts/test
# passes its own) so this costs a no-op ninja, not a build.
#
#   tests/ops/run-signals.sh [SIGNAL...]   default: TERM TERM TERM
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
cd "$REPO_ROOT"

VAR=var/test-run
HTTP_PORT="${RUN_TEST_HTTP_PORT:-18089}"
PG_PORT="${RUN_TEST_PG_PORT:-54342}"
REDIS_PORT="${RUN_TEST_REDIS_PORT:-63802}"
SIGNALS=("$@")
((${#SIGNALS[@]})) || SIGNALS=(TERM TERM TERM)

fail() { printf 'run-signals: FAIL: %s\n' "$*" >&2; exit 1; }
ok() { printf 'ok - %s\n' "$*"; }

pgid=""
# Whatever happens to this test, nothing it started outlives it.
cleanup() {
    if [[ -n "$pgid" ]] && pgrep -g "$pgid" >/dev/null 2>&1; then
        kill -KILL -- "-$pgid" 2>/dev/null || true
    fi
    scripts/redis stop "$VAR/redis" >/dev/null 2>&1 || true
    scripts/db stop "$VAR/pg" >/dev/null 2>&1 || true
}
trap cleanup EXIT

mkdir -p "$VAR"
log="$VAR/run.log"

# Only what the test chooses: no .env value may point it at another database.
# setsid: a session and process group of its own, as under a terminal or a
# supervisor; from a non-interactive shell it does not fork, so $! is the
# group's id.
env -u DATABASE_URL -u DATABASE_OWNER_URL -u DATABASE_ADMIN_URL -u REDIS_URL \
    RUN_VAR="$VAR" RUN_PG_PORT="$PG_PORT" RUN_REDIS_PORT="$REDIS_PORT" PORT="$HTTP_PORT" \
    RUN_BUILD="${RUN_BUILD:-build}" PLATFORM_DOMAIN=localhost \
    APP_ENCRYPTION_KEY="dGVzdC1vbmx5LWtleS1kby1ub3QtdXNlLWluLXByb2Q=" \
    setsid scripts/run </dev/null >"$log" 2>&1 &
pid=$!
pgid="$(ps -o pgid= -p "$pid" | tr -d ' ')"
[[ "$pgid" == "$pid" ]] || fail "scripts/run is not its group's leader (pid $pid, pgid $pgid)"

if ! wait_http "http://127.0.0.1:$HTTP_PORT/healthz" 300; then
    tail -n 40 "$log" >&2
    fail "no /healthz on port $HTTP_PORT within 300s"
fi
pg_pid="$(head -n1 "$VAR/pg/data/postmaster.pid")"
redis_pid="$(<"$VAR/redis/redis.pid")"
if ! kill -0 "$pg_pid" || ! kill -0 "$redis_pid"; then
    fail "PostgreSQL ($pg_pid) or Redis ($redis_pid) not running"
fi
ok "make run is up (group $pgid, postgres $pg_pid, redis $redis_pid)"

# Quickly, as a supervisor that loses patience, or a terminal's SIGHUP
# followed by its shell's.
for sig in "${SIGNALS[@]}"; do
    kill "-$sig" -- "-$pgid"
    sleep 0.05
done

# scripts/run drains serve and worker (15 s at most each), then stops Redis
# and PostgreSQL: 60 s is generous.
for ((i = 0; i < 600; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
kill -0 "$pid" 2>/dev/null && fail "scripts/run still running 60s after ${SIGNALS[*]}"
set +e
wait "$pid"
rc=$?
set -e

# pg_ctl stop returns once postmaster.pid is gone, a moment before the
# postmaster itself exits (and is reaped by whoever adopted it).
alive() {
    local i
    for ((i = 0; i < 50; i++)); do
        kill -0 "$1" 2>/dev/null || return 1
        [[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" == Z ]] && return 1
        sleep 0.1
    done
    return 0
}

problems=()
((rc == 0)) || problems+=("exit status $rc, want 0")
[[ -e "$VAR/pg/data/postmaster.pid" ]] && problems+=("postmaster.pid left in $VAR/pg/data")
alive "$pg_pid" && problems+=("postgres $pg_pid still running")
alive "$redis_pid" && problems+=("redis $redis_pid still running")
left="$(pgrep -g "$pgid" | tr "\n" " " || true)"
[[ -n "$left" ]] && problems+=("processes left in group $pgid: $left")
if ((${#problems[@]})); then
    tail -n 20 "$log" >&2
    fail "after ${SIGNALS[*]} to the group: $(IFS=';'; echo "${problems[*]}")"
fi
ok "${SIGNALS[*]} to the group: exit 0, PostgreSQL and Redis stopped, no process left"
