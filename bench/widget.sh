# shellcheck shell=bash disable=SC2034  # globals used by scripts/bench
# bench/widget.sh — the chat widget; sourced by scripts/bench.
#
# GET /widget.js through wrk (served from memory), then bench/widget.mjs:
# the loader's and the chat UI's sizes (raw, gzip, brotli) and, in Debian's
# Chromium with the CPU throttled 4x, the long tasks the loader causes on
# the host page and the time until the opened widget can be typed into.
# Needs web/dist built before `serve` starts (npm run build).

bench_widget_js() { bench_wrk "GET /widget.js" /widget.js demo.localhost; }

bench_widget_browser() {
    local origin_port=18099
    printf '==> widget sizes and browser timings (bench/widget.mjs)\n' >&2
    # The bench page's origin must be one the demo tenant allows.
    psql "$DATABASE_OWNER_URL" -X -q -v ON_ERROR_STOP=1 >/dev/null 2>&1 <<SQL || true
BEGIN;
SELECT set_config('app.tenant_id', (SELECT tenant_id::text FROM tenant_resolve_ref('demo')), true);
INSERT INTO widget_origins (tenant_id, origin)
SELECT app_tenant(), 'http://127.0.0.1:$origin_port'
WHERE NOT EXISTS (SELECT 1 FROM widget_origins WHERE origin = 'http://127.0.0.1:$origin_port'
    AND deleted_at IS NULL);
COMMIT;
SQL
    if ! BENCH_WIDGET_ORIGIN_PORT="$origin_port" node bench/widget.mjs; then
        BENCH_WARNINGS+=("widget: the browser benchmark failed (see above)")
    fi
}

BENCH_SCENARIOS+=(bench_widget_js bench_widget_browser)
