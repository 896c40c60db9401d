# shellcheck shell=bash disable=SC2034  # globals used by scripts/bench
# bench/http.sh — plain HTTP scenarios against `serve`; sourced by scripts/bench.

# Baseline: the cheapest route (no tenant, no database), i.e. the cost of the
# HTTP stack itself on this box.
bench_http_healthz() { bench_wrk "GET /healthz (baseline)" /healthz; }

# Tenant resolved from the Host header + public tenant profile.
bench_http_public_tenant() { bench_wrk "GET /v1/public/tenant" /v1/public/tenant demo.localhost; }

# The services list comes from the same tenant cache as the profile.
bench_http_public_services() { bench_wrk "GET /v1/public/services" /v1/public/services demo.localhost; }

BENCH_BASELINE=bench_http_healthz
BENCH_SCENARIOS+=(bench_http_healthz bench_http_public_tenant bench_http_public_services)
