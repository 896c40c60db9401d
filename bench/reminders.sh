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
# plan: the steady per-minute cost). Then a real `worker` plans the
# 100,000 by its periodic job and its peak RSS is reported. Last, the
# sender: those 100,000 reminders are made due now and a worker sends them
# to a local SMTP server that accepts everything (bench/smtp_sink.mjs); the
# table gets messages/s overall and for each fifth of the backlog (flat =
# the claim and the record per message do not grow with the backlog still
# queued), and the sending worker's peak RSS.

# BENCH_REMINDER_SIZES="10000" runs the planner for fewer sizes (the sender
# below always drains the same 100,000).
read -ra REMINDERS_BENCH_SIZES <<<"${BENCH_REMINDER_SIZES:-10000 50000 100000}"

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
    _reminders_send "$planned"
}

# The sender drains the planned reminders through SMTP.
_reminders_send() {	# PLANNED
    local sink_pid w_pid port start now sent total=$1 slice next rates="" last_t last_n rss
    local out=var/bench-sink.out
    ((total > 0)) || return 0
    node bench/smtp_sink.mjs >"$out" 2>>var/bench-worker.log &
    sink_pid=$!
    for _ in $(seq 1 50); do port="$(head -1 "$out" 2>/dev/null)"; [[ -n "$port" ]] && break; sleep 0.1; done
    if [[ -z "$port" ]]; then
        stop_pid "$sink_pid" 15 || true
        BENCH_WARNINGS+=("reminders: the SMTP sink did not start; sender skipped")
        return 0
    fi
    # Only these reminders: mail other scenarios queued with no provider
    # (thousands of booking confirmations) is set aside, not measured.
    psql "$DATABASE_OWNER_URL" -X -q -c "UPDATE notification_outbox SET status = 'cancelled'
        WHERE status = 'queued' AND NOT (template = 'booking.reminder'
        AND recipient LIKE '%@bench-rmd.test');
        UPDATE platform_outbox SET status = 'cancelled' WHERE status = 'queued';
        UPDATE notification_outbox SET next_attempt_at = now()
        WHERE template = 'booking.reminder' AND recipient LIKE '%@bench-rmd.test' AND status = 'queued'" >/dev/null
    SMTP_URL="smtp://127.0.0.1:$port" SMTP_FROM=bench@bench-rmd.test \
        "$BUILD/receptionist" worker >>var/bench-worker.log 2>&1 &
    w_pid=$!
    start=$(date +%s%N)
    slice=$((total / 5))
    next=$slice
    last_t=$start
    last_n=0
    sent=0
    for _ in $(seq 1 1800); do
        sent="$(psql "$DATABASE_OWNER_URL" -X -Atqc "SELECT count(*) FROM notification_outbox
            WHERE template = 'booking.reminder' AND recipient LIKE '%@bench-rmd.test'
            AND status = 'sent'" 2>/dev/null || echo 0)"
        now=$(date +%s%N)
        if ((sent >= next)); then
            rates+="$(awk -v n=$((sent - last_n)) -v ns=$((now - last_t)) 'BEGIN { printf "%.0f", n * 1e9 / ns }') "
            last_t=$now
            last_n=$sent
            next=$((next + slice))
        fi
        ((sent >= total)) && break
        sleep 0.5
    done
    rss="$(awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$w_pid/status" 2>/dev/null || echo '?')"
    stop_pid "$w_pid" 15 || true
    stop_pid "$sink_pid" 15 || true
    BENCH_ROWS+=("| reminders: worker sends $total through SMTP | $sent sent in $(( (now - start) / 1000000 )) ms | $(awk -v n="$sent" -v ns=$((now - start)) 'BEGIN { printf "%.0f msg/s", n * 1e9 / ns }') | per fifth of the backlog: ${rates% } msg/s | worker peak RSS ${rss} MiB | - |")
}

BENCH_SCENARIOS+=(bench_reminders)
