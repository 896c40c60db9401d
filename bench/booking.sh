# shellcheck shell=bash disable=SC2034  # globals used by scripts/bench
# bench/booking.sh — scheduling under load; sourced by scripts/bench.
#
# A tenant with 10 staff, 3 resources and 5,000 existing bookings
# (bench/booking_seed.sql, rebuilt every run) is served by a second `serve`
# on its own port with the access log on, so each request's server time
# (duration_ms) is measured by the server itself, not through wrk's queue:
#   - GET /v1/public/availability for 30 days: req/s and wrk latency at 2
#     connections (one per core), p50 / p99 server time (target: p99 ≤ 20
#     ms), and CPU per request in serve and in PostgreSQL — the figure
#     that does not depend on what else the machine is running (target:
#     PostgreSQL ≤ 1 ms); each statement's time per request goes to
#     var/bench-availability-statements.txt;
#   - POST /v1/public/bookings at 32 connections, each request a different
#     free slot with its own Idempotency-Key (bench/booking_create.lua):
#     req/s, p50 / p99, the server time, and CPU per request.

BOOKING_BENCH_PORT=18094
BOOKING_BENCH_SLUG=bench-booking
BOOKING_BENCH_CUT=be000000-0000-4000-8000-000000000001

# CPU clock ticks used so far by pid, and by the bench cluster's
# PostgreSQL processes (the children of its postmaster) (for CPU per request, which unlike
# latency does not depend on what else the machine is doing).
_booking_ticks() {
    awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
_booking_pg_ticks() {
    local p t=0 pm
    pm="$(head -n 1 "${PG_DIR:-var/bench-pg}/data/postmaster.pid" 2>/dev/null)"
    [[ -n "$pm" ]] || { echo 0; return; }
    for p in $(pgrep -P "$pm" || true); do
        t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
    echo "$t"
}

# Where the database's time goes (scripts/bench starts the cluster with
# DB_STATS=1): _booking_stmts_reset before a phase, _booking_stmts_report
# after it writes every statement's time per request to FILE (nested ones,
# inside functions and triggers, included) and puts the top three in a row.
_booking_su() { scripts/db url "$PG_DIR" "$PG_PORT" "$DB_NAME" postgres; }
_booking_stmts_reset() {
    psql "$(_booking_su)" -X -Atqc "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" \
        -c "SELECT pg_stat_statements_reset()" >/dev/null 2>&1 || true
}
_booking_stmts_report() {
    local label="$1" n="$2" file="$3" top
    ((n > 0)) || return 0
    psql "$(_booking_su)" -X -Atq -F ' | ' -o "$file" -c "
        SELECT round((total_exec_time / $n)::numeric, 3) AS ms_per_request,
               round((calls::numeric / $n), 2) AS calls_per_request,
               toplevel, regexp_replace(left(query, 160), '\s+', ' ', 'g')
        FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        ORDER BY total_exec_time DESC LIMIT 40" 2>/dev/null || return 0
    top="$(awk -F ' [|] ' 'NR <= 3 { printf "%s%s ms %s", (NR > 1 ? "; " : ""), $1, substr($4, 1, 48) }' "$file" |
        tr '|' '/')"
    BENCH_ROWS+=("| $label: PostgreSQL time per request by statement, top 3 (all in $file): ${top:-?} | - | - | - | - | - |")
}

# "serve X ms + PostgreSQL Y ms" per request between two samples.
_booking_cpu_row() {
    local label="$1" s0="$2" s1="$3" p0="$4" p1="$5" n="$6"
    ((n > 0)) || return 0
    BENCH_ROWS+=("| $label: CPU per request, serve $(awk -v a="$s0" -v b="$s1" -v n="$n" -v t="$(getconf CLK_TCK)" \
        'BEGIN { printf "%.1f", (b - a) * 1000 / t / n }') ms + PostgreSQL $(awk -v a="$p0" -v b="$p1" \
        -v n="$n" -v t="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", (b - a) * 1000 / t / n }') ms | - | - | - | - | - |")
}

# Requests wrk completed, from its output in BENCH_LOG's last run.
_booking_wrk_requests() {
    awk '/requests in/ { n = $1 } END { print n + 0 }' "${BENCH_LOG:-/dev/null}"
}

# p50 and p99 of duration_ms for route in log, as "p50 p99 n".
_booking_server_ms() {
    local log="$1" route="$2"
    grep -F "\"route\":\"$route\"" "$log" | grep -F '"status":20' |
        sed -n 's/.*"duration_ms":\([0-9.eE+-]*\).*/\1/p' | sort -g |
        awk '{ v[NR] = $1 } END {
            if (NR == 0) { print "- - 0"; exit }
            i50 = int(NR * 0.50); if (i50 < 1) i50 = 1
            i99 = int(NR * 0.99); if (i99 < 1) i99 = 1
            printf "%.2f %.2f %d\n", v[i50], v[i99], NR }'
}

# wrk with extra arguments against the booking server; appends a row.
_booking_wrk() {
    local label="$1" pid="$2"; shift 2
    local out rps p50 p99 non2xx errs rss ratio
    printf '==> wrk %s\n' "$label" >&2
    out="$(wrk "$@")"
    printf '%s\n' "$out" >>"${BENCH_LOG:-/dev/null}"
    rps="$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")"
    p50="$(_to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")"
    p99="$(_to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")"
    non2xx="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$out")"
    errs="$(awk '/Socket errors:/ { sub(/.*Socket errors: /, ""); print }' <<<"$out")"
    rss="$(awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null || echo "?")"
    ratio="$(awk -v a="$rps" -v b="${BENCH_BASELINE_RPS:-0}" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }')"
    BENCH_ROWS+=("| $label | $rps | ${p50} ms | ${p99} ms | ${rss} MiB | $ratio |")
    [[ -n "$non2xx" ]] && BENCH_WARNINGS+=("$label: $non2xx non-2xx/3xx responses (counted in req/s)")
    [[ -n "$errs" ]] && BENCH_WARNINGS+=("$label: socket errors: $errs")
    return 0
}

bench_booking() {
    local bin="${BUILD:-build-release}/receptionist" log=var/bench-booking-serve.log
    local url="http://127.0.0.1:$BOOKING_BENCH_PORT" host="$BOOKING_BENCH_SLUG.localhost"
    local tenant pid first avail slots mark p50 p99 n s0 p0
    local -a sv
    printf '==> scheduling bench: seeding %s (10 staff, 3 resources, 5,000 bookings)\n' \
        "$BOOKING_BENCH_SLUG" >&2
    "$bin" tenant create --slug "$BOOKING_BENCH_SLUG" --name "Bench Booking" \
        --timezone America/New_York --plan enterprise >/dev/null 2>&1 || true
    tenant="$(psql "$DATABASE_OWNER_URL" -X -Atqc \
        "SELECT tenant_id FROM tenant_resolve_ref('$BOOKING_BENCH_SLUG')")"
    if [[ -z "$tenant" ]] ||
        ! psql "$DATABASE_OWNER_URL" -X -q -v tenant="$tenant" -f bench/booking_seed.sql >/dev/null; then
        BENCH_WARNINGS+=("booking: could not seed the tenant; scenario skipped")
        return 0
    fi
    # A known data state: statistics and visibility maps as autovacuum
    # would leave them (right after the seed, the claims are read from the
    # heap and the planner guesses).
    psql "$(_booking_su)" -X -qc "VACUUM ANALYZE" >/dev/null 2>&1 ||
        BENCH_WARNINGS+=("booking: VACUUM ANALYZE after the seed failed")
    # Free (start, staff) pairs beyond the seeded days, on the 30-minute
    # grid, four staff per time (there are four chairs), days interleaved
    # so concurrent requests rarely share a staff member's day.
    slots=var/bench-booking-slots.txt
    psql "$DATABASE_OWNER_URL" -X -Atq -F ' ' -o "$slots" -c "SET TIME ZONE 'America/New_York'" -c "
        SELECT to_char(s, 'YYYY-MM-DD\"T\"HH24:MI:SSTZH:TZM'), st
        FROM (SELECT i, ((date_trunc('day', now() AT TIME ZONE 'America/New_York')
                + make_interval(days => 60 + i % 300) + interval '8 hours'
                + make_interval(mins => 30 * (i / 1200))) AT TIME ZONE 'America/New_York') AS s,
                ('be000000-0000-4000-8000-0000000001' || lpad(((i / 300) % 4)::text, 2, '0')) AS st
              FROM generate_series(0, 28799) i) x ORDER BY i"

    : >"$log"
    PORT="$BOOKING_BENCH_PORT" LOG_LEVEL=info "$bin" serve >>"$log" 2>&1 &
    pid=$!
    if ! wait_http "$url/healthz" 30; then
        BENCH_WARNINGS+=("booking: serve did not start (log: $log)")
        stop_pid "$pid"
        return 0
    fi
    first="$(date -u -d tomorrow +%F)"
    avail="/v1/public/availability?service_id=$BOOKING_BENCH_CUT&date=$first&days=30"
    if ! curl -fsS -o /dev/null --max-time 10 -H "Host: $host" "$url$avail"; then
        BENCH_WARNINGS+=("booking: availability does not answer 2xx; skipped")
    else
        # Warm-up, so connections and ICU's zone data are in place.
        wrk -t1 -c1 -d2s -H "Host: $host" "$url$avail" >/dev/null
        mark="$(wc -l <"$log")"
        s0="$(_booking_ticks "$pid")"
        p0="$(_booking_pg_ticks)"
        _booking_stmts_reset
        # Two connections: one request per core, so the server time is the
        # request's own, not time spent queueing behind the others.
        _booking_wrk "GET availability 30 days (5,000 bookings), 2 conns" "$pid" \
            -t2 -c2 -d10s --latency -H "Host: $host" "$url$avail"
        _booking_cpu_row "availability 30 days" "$s0" "$(_booking_ticks "$pid")" "$p0" \
            "$(_booking_pg_ticks)" "$(_booking_wrk_requests)"
        _booking_stmts_report availability "$(_booking_wrk_requests)" \
            var/bench-availability-statements.txt
        tail -n +"$((mark + 1))" "$log" >"$log.avail"
        read -r p50 p99 n < <(_booking_server_ms "$log.avail" /v1/public/availability)
        BENCH_ROWS+=("| availability 30 days: server time (access log, $n requests) | - | $p50 ms | $p99 ms | - | - |")
        if [[ "$p99" != - ]] && awk -v p="$p99" 'BEGIN { exit !(p > 20) }'; then
            BENCH_WARNINGS+=("booking: availability p99 server time $p99 ms is over the 20 ms target")
        fi
    fi

    mark="$(wc -l <"$log")"
    sv=(BENCH_BOOKING_SLOTS="$slots" BENCH_BOOKING_HOST="$host" BENCH_BOOKING_THREADS=2
        BENCH_BOOKING_SERVICE="$BOOKING_BENCH_CUT" BENCH_BOOKING_RUN="$(date +%s)")
    export "${sv[@]}"
    _booking_stmts_reset
    s0="$(_booking_ticks "$pid")"
    p0="$(_booking_pg_ticks)"
    _booking_wrk "POST /v1/public/bookings, distinct slots, 32 conns" "$pid" \
        -t2 -c32 -d10s --latency -s bench/booking_create.lua "$url"
    _booking_cpu_row "bookings" "$s0" "$(_booking_ticks "$pid")" "$p0" "$(_booking_pg_ticks)" \
        "$(_booking_wrk_requests)"
    _booking_stmts_report bookings "$(_booking_wrk_requests)" var/bench-booking-statements.txt
    unset BENCH_BOOKING_SLOTS BENCH_BOOKING_HOST BENCH_BOOKING_THREADS BENCH_BOOKING_SERVICE \
        BENCH_BOOKING_RUN
    tail -n +"$((mark + 1))" "$log" >"$log.book"
    read -r p50 p99 n < <(_booking_server_ms "$log.book" /v1/public/bookings)
    BENCH_ROWS+=("| bookings: server time of the 201s (access log, $n bookings) | - | $p50 ms | $p99 ms | - | - |")
    stop_pid "$pid"
}

BENCH_SCENARIOS+=(bench_booking)
