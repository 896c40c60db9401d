# shellcheck shell=bash disable=SC2034  # globals used by scripts/bench
# bench/ai.sh — the model provider path; sourced by scripts/bench.
#
# bench/ai.mjs first measures the built-in receptionist (no model) one turn
# at a time on the bench tenant's small catalogue (times for a day, a
# price, an FAQ with a day: p50 / p99 round trip at c=1); then it starts a
# fake OpenAI-compatible model and a second `serve`
# pointed at it (port 18091, test routes on, default workers and pool), then
# measures, on the provider path and through /v1/chat/stream:
#   - with a model that answers instantly: the server's overhead per turn
#     (client round trip minus the model's own time), p50 / p99;
#   - with a model that streams for 2 s: 500 concurrent turns (started at
#     once, then arriving over 2 s), all complete, the latency the server adds
#     to the first byte (p99 must be ≤ 50 ms; see bench/ai.mjs), and the
#     peak RSS.

bench_ai_providers() {
    local out line ok=1
    printf '==> AI provider path (bench/ai.mjs)\n' >&2
    out="$(BENCH_AI_BIN="$REPO_ROOT/build-release/receptionist" node bench/ai.mjs 2>&1)" || ok=0
    while IFS= read -r line; do
        case "$line" in
        ROW\|*) BENCH_ROWS+=("${line#ROW|}") ;;
        NOTE\|*)
            printf '    %s\n' "${line#NOTE|}" >&2
            ((ok)) || BENCH_WARNINGS+=("ai: ${line#NOTE|}")
            ;;
        *) printf '%s\n' "$line" >&2 ;;
        esac
    done <<<"$out"
    ((ok)) || BENCH_WARNINGS+=("ai: a target was missed or the run failed (details above)")
}

BENCH_SCENARIOS+=(bench_ai_providers)
