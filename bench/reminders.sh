# shellcheck shell=bash disable=SC2034  # globals used by scripts/bench
# bench/reminders.sh — the reminder planner; sourced by scripts/bench.
#
# Ten bench tenants (bench-rmd-0..9, made once; nothing of any other tenant
# is touched) get bookings all starting in the same hour a day from now
# (bench/reminders_seed.sql, rebuilt for each size), so every one of their
# 24 h reminders is due in the same hour. For 10,000, 50,000 and 100,000
# bookings, bench/reminders_plan.sql runs the planner as the worker does
# (batches of 20,000) and the table gets: rows planned, the time, rows/s,
# and microseconds of database time per row (flat = the work per row does
# not grow with the backlog); then the same run again (nothing left to
# plan: the steady per-minute cost). Last, a real `worker` plans the
# 100,000 by its periodic job and its peak RSS is reported.

REMINDERS_BENCH_SIZES=(10000 50000 100000)

_reminders_tenants() {
    local i
    for i in 0 1 2 3 4 5 6 7 8 9; do
        "$BUILD/receptionist" tenant create --slug "bench-rmd-$i" --name "Bench Reminders $i" \
            --timezone UTC >/dev/null 2>&1 || true
    done
    psql "$DATABASE_OWNER_URL" -X -Atqc "SELECT string_agg(t.tenant_id::text, ',')
        FROM generate_series(0, 9) i, tenant_resolve_ref('bench-rmd-' || i) t"
}

_reminders_seed() {	# TENANTS PER_TENANT
    psql "$DATABASE_OWNER_URL" -X -q -o /dev/null -v tenants="$1" -v per="$2" \
        -v t0="$(date -u -d '+1 day +2 min' +%FT%TZ)" -f bench/reminders_seed.sql
}

_reminders_run() {	# → "rows ms batches"
    psql "$DATABASE_URL" -X -q -f bench/reminders_plan.sql 2>&1 |
        awk '/RESULT/ { print $(NF-2), $(NF-1), $NF }'
}

bench_reminders() {
    local tenants n rows ms batches again w_pid start rss planned
    printf '==> reminder planner (bench/reminders_plan.sql)\n' >&2
    tenants="$(_reminders_tenants)"
    if [[ "$(tr ',' '\n' <<<"$tenants" | grep -c .)" != 10 ]]; then
        BENCH_WARNINGS+=("reminders: could not make the bench tenants; skipped")
        return 0
    fi
    for n in "${REMINDERS_BENCH_SIZES[@]}"; do
        _reminders_seed "$tenants" $((n / 10)) || { BENCH_WARNINGS+=("reminders: seeding $n failed"); return 0; }
        read -r rows ms batches <<<"$(_reminders_run)"
        read -r _ again _ <<<"$(_reminders_run)"
        BENCH_ROWS+=("| reminders: plan $n bookings due in one hour | $rows rows in ${ms} ms ($batches batches) | $(awk -v r="$rows" -v m="$ms" 'BEGIN { if (m > 0) printf "%.0f rows/s", r * 1000 / m }') | $(awk -v r="$rows" -v m="$ms" 'BEGIN { if (r > 0) printf "%.0f us/row", m * 1000 / r }') | re-run ${again} ms | - |")
    done
    # The worker itself: its periodic job plans the last seed's backlog.
    _reminders_seed "$tenants" 10000
    "$BUILD/receptionist" worker >>var/bench-worker.log 2>&1 &
    w_pid=$!
    start=$(date +%s%N)
    planned=0
    for _ in $(seq 1 600); do
        planned="$(psql "$DATABASE_OWNER_URL" -X -Atqc "SELECT count(*) FROM notification_outbox
            WHERE template = 'booking.reminder' AND recipient LIKE '%@bench-rmd.test'" 2>/dev/null || echo 0)"
        ((planned >= 95000)) && break
        sleep 0.5
    done
    rss="$(awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$w_pid/status" 2>/dev/null || echo '?')"
    stop_pid "$w_pid" 15 || true
    BENCH_ROWS+=("| reminders: worker plans 100,000 (periodic job) | $planned rows in $(( ($(date +%s%N) - start) / 1000000 )) ms | - | - | worker peak RSS ${rss} MiB | - |")
}

BENCH_SCENARIOS+=(bench_reminders)
