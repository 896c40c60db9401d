# shellcheck shell=bash disable=SC2034  # globals used by scripts/bench
# bench/lib.sh — helpers for bench scenarios; sourced by scripts/bench.
#
# A scenario file (bench/NAME.sh) defines functions that call bench_wrk and
# appends their names to BENCH_SCENARIOS. One of them is named in
# BENCH_BASELINE: it runs first, and every row's ratio is its req/s divided by
# the baseline's, so numbers from the same run on the same box are compared.
#
# scripts/bench sets: BENCH_BASE_URL (http://127.0.0.1:PORT), BENCH_SERVE_PID.

BENCH_SCENARIOS=()
BENCH_BASELINE=""
BENCH_ROWS=()
BENCH_WARNINGS=()
BENCH_BASELINE_RPS=""
WRK_ARGS=(-t2 -c64 -d10s --latency)

# wrk prints latencies as 512.00us / 1.23ms / 2.00s; normalise to ms.
_to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0;
        else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000;
        printf "%.2f", n }'
}

# Peak resident set of the serve process so far (VmHWM), in MiB.
_peak_rss_mib() {
    awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$BENCH_SERVE_PID/status" 2>/dev/null || echo "?"
}

# bench_wrk LABEL PATH [HOST_HEADER]
bench_wrk() {
    local label="$1" path="$2" host="${3:-}" out rps p50 p99 rss ratio non2xx errs
    local -a hdr=()
    [[ -n "$host" ]] && hdr=(-H "Host: $host")
    printf '==> wrk %s %s%s\n' "$label" "$path" "${host:+ (Host: $host)}" >&2
    # A refused request would otherwise be measured as a very fast one.
    if ! curl -fsS -o /dev/null --max-time 5 "${hdr[@]}" "$BENCH_BASE_URL$path"; then
        BENCH_WARNINGS+=("$label: $path does not answer 2xx; skipped")
        [[ -n "$BENCH_BASELINE_RPS" ]] || BENCH_BASELINE_RPS=0
        BENCH_ROWS+=("| $label | - | - | - | - | - |")
        return 0
    fi
    out="$(wrk "${WRK_ARGS[@]}" "${hdr[@]}" "$BENCH_BASE_URL$path")"
    printf '%s\n' "$out" >>"${BENCH_LOG:-/dev/null}"
    rps="$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")"
    p50="$(_to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")"
    p99="$(_to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")"
    non2xx="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$out")"
    errs="$(awk '/Socket errors:/ { sub(/.*Socket errors: /, ""); print }' <<<"$out")"
    rss="$(_peak_rss_mib)"
    if [[ -z "$BENCH_BASELINE_RPS" ]]; then
        BENCH_BASELINE_RPS="$rps"
    fi
    ratio="$(awk -v a="$rps" -v b="$BENCH_BASELINE_RPS" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }')"
    BENCH_ROWS+=("| $label | $rps | ${p50} ms | ${p99} ms | ${rss} MiB | $ratio |")
    [[ -n "$non2xx" ]] && BENCH_WARNINGS+=("$label: $non2xx non-2xx/3xx responses (counted in req/s)")
    [[ -n "$errs" ]] && BENCH_WARNINGS+=("$label: socket errors: $errs")
    return 0
}

bench_print_table() {
    local row w
    printf '\n| scenario | req/s | p50 | p99 | peak RSS | ratio vs baseline |\n'
    printf '|---|---:|---:|---:|---:|---:|\n'
    for row in "${BENCH_ROWS[@]}"; do printf '%s\n' "$row"; done
    printf '\nwrk %s; peak RSS = VmHWM of serve after the scenario (cumulative).\n' "${WRK_ARGS[*]}"
    printf 'machine: %s cores; 1-minute load average before each scenario: %s\n' "$(nproc)" \
        "$(IFS=';'; printf '%s' "${BENCH_LOADS[*]:-?}" | sed 's/;/; /g')"
    for w in "${BENCH_WARNINGS[@]}"; do printf 'warning: %s\n' "$w"; done
}
