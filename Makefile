# Entry points; the work is in scripts/ so CI, developers and `make` share it.
#   make run        build, start private PostgreSQL + Redis under var/, serve + worker
#   make test       sanitizer build + all test suites against throw-away services
#   make bench      release build + wrk scenarios (bench/*.sh), markdown table
#   make eval       the receptionist's booking evaluation (eval/receptionist), EVAL_ARGS=…
#   make fuzz       libFuzzer harnesses (tests/fuzz), FUZZ_SECONDS each (default 60)
#   make build      dev build in build/
#   make fmt        clang-format the C sources in place
#   make clean      remove build dirs (keeps var/, i.e. the dev database)
#   make distclean  clean + stop private services + remove var/ and node_modules/

SHELL := /bin/bash

.PHONY: all run test bench eval fuzz build fmt clean distclean

all: build

run:
	scripts/run

test:
	scripts/test

bench:
	scripts/bench

eval:
	scripts/eval

fuzz:
	@scripts/bootstrap
	scripts/fuzz run

build:
	@scripts/bootstrap
	@test -f build/meson-private/coredata.dat || meson setup build --buildtype=debugoptimized
	ninja -C build

fmt:
	@find src tests/unit -name '*.[ch]' 2>/dev/null | xargs -r clang-format -i

clean:
	rm -rf build build-test build-release build-fuzz

# Services are stopped first: removing a running cluster's directory would
# leave orphaned postgres/redis processes behind.
distclean: clean
	@for d in var/*pg; do [[ -d "$$d/data" ]] && scripts/db stop "$$d" || true; done
	@for d in var/*redis; do [[ -d "$$d" ]] && scripts/redis stop "$$d" || true; done
	rm -rf var node_modules
