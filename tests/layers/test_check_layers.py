#!/usr/bin/env python3
"""tests/layers/test_check_layers.py — proves scripts/check-layers bites.

Builds a tiny src/ tree with a few files per layer (including text that
looks like SQL but is not: Redis commands, log lines, iCalendar), checks it
passes, then plants one violation per rule, each in its own copy, and checks
the checker fails naming exactly that rule at that file and line. A checker
that always exits 0 (or reports nothing) fails every planted case.

Usage: tests/layers/test_check_layers.py   (CHECK_LAYERS=path overrides the
checker). Ends with "N passed, M failed"; exits 1 if anything failed.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKER = os.environ.get("CHECK_LAYERS",
                         os.path.join(HERE, "..", "..", "scripts", "check-layers"))

CLEAN = {
    "src/app.h": '#include "core/config.h"\n#include "http/router.h"\n',
    "src/main.c": '#include "app.h"\n#include "modules/registry.h"\n'
                  '#include "modules/foo/foo.h"\n#include "db/db.h"\n',
    "src/core/arena.h": "struct arena;\n",
    "src/core/log.c": '#include "core/arena.h"\n#include <stdio.h>\n'
                      '/* the dispatcher owns struct request; set_config( is db\'s */\n'
                      'static const char *m = "SELECT failed";\n',
    "src/db/db.h": '#include "core/arena.h"\n#include <libpq-fe.h>\n'
                   "int db_exec(void *, const char *);\n",
    "src/db/tx.c": '#include "db/db.h"\n#include "core/log.h"\n'
                   'static const char *q = "SELECT set_config(\'app.tenant_id\', $1, true)";\n'
                   "int begin(void) { return db_exec(0, q); }\n",
    "src/http/http.h": '#include "core/arena.h"\nstruct request { int x; };\n',
    "src/http/server.c": '#include <h2o.h>\n#include "app.h"\n#include "http/http.h"\n'
                         '#include "db/db.h"\n',
    "src/http/ratelimit.c": '#include "http/http.h"\n'
                            'static const char *c = "SELECT %d";\n',
    "src/providers/llm.h": "struct llm;\n",
    "src/providers/llm_openai.c": '#include "providers/llm.h"\n#include "core/log.h"\n'
                                  'static const char *h = "Authorization: Bearer %s";\n',
    "src/modules/registry.c": '#include "modules/registry.h"\n#include "modules/foo/foo.h"\n'
                              '#include "modules/bar/bar.h"\n#include "providers/llm.h"\n',
    "src/modules/foo/foo.h": '#include "core/arena.h"\n',
    "src/modules/foo/foo_internal.h": '#include "modules/foo/foo.h"\n',
    "src/modules/foo/foo_routes.c": '#include "app.h"\n#include "modules/foo/foo_internal.h"\n'
                                    '#include "modules/bar/bar.h"\n#include "http/http.h"\n'
                                    "static void route(struct request *r)\n{\n"
                                    '\tsay(r, "Select a time that suits you");\n'
                                    '\tsay(r, "BEGIN:VCALENDAR");\n'
                                    '\tsay(r, "Update the settings, then select Save.");\n}\n',
    "src/modules/foo/foo_service.c": '#include "modules/foo/foo_internal.h"\n'
                                     "/* never a struct request: services take a ctx */\n"
                                     "int foo_get(struct ctx *c) { return foo_store_get(c); }\n",
    "src/modules/foo/foo_store.c": '#include "modules/foo/foo_internal.h"\n#include "db/db.h"\n'
                                   "int foo_store_get(struct ctx *c)\n{\n"
                                   '\treturn db_exec(c, "SELECT id FROM foo"\n'
                                   '\t    " WHERE id = $1 FOR UPDATE");\n}\n',
    "src/modules/bar/bar.h": "struct bar;\n",
    "src/modules/bar/bar_internal.h": '#include "modules/bar/bar.h"\n',
    "src/modules/bar/bar_jobs.c": '#include "modules/bar/bar_internal.h"\n#include "db/jobs.h"\n',
}

# (rule, file, line the checker must name, text appended to the file)
PLANTS = [
    ("core-include", "src/core/log.c", 5, '#include "db/db.h"\n'),
    ("db-include", "src/db/tx.c", 5, '#include "http/http.h"\n'),
    ("db-include", "src/db/db.h", 4, '#include "app.h"\n'),
    ("http-include", "src/http/ratelimit.c", 3, '#include "modules/foo/foo.h"\n'),
    ("http-include", "src/http/ratelimit.c", 3, '#include "app.h"\n'),
    ("http-include", "src/http/server.c", 5, '#include "providers/llm.h"\n'),
    ("providers-include", "src/providers/llm_openai.c", 4, '#include "modules/bar/bar.h"\n'),
    ("providers-include", "src/providers/llm_openai.c", 4, '#include "db/db.h"\n'),
    ("module-include", "src/modules/foo/foo_routes.c", 11,
     '#include "modules/bar/bar_internal.h"\n'),
    ("module-include", "src/modules/registry.c", 5, '#include "modules/foo/foo_internal.h"\n'),
    ("module-include", "src/main.c", 5, '#include "modules/bar/bar_internal.h"\n'),
    ("h2o-outside-http", "src/modules/foo/foo_routes.c", 11, "#include <h2o.h>\n"),
    ("sql-outside-store", "src/modules/foo/foo_service.c", 4,
     'static const char *q = "SELECT name"\n    " FROM foo WHERE id = $1";\n'),
    ("sql-outside-store", "src/modules/foo/foo_routes.c", 11,
     'static const char *u = "UPDATE foo SET name = $1";\n'),
    ("sql-outside-store", "src/modules/bar/bar_jobs.c", 3,
     'static const char *w = "WITH x AS (" COLS ") DELETE FROM bar";\n'),
    ("sql-outside-store", "src/modules/foo/foo_service.c", 6,
     "int g(struct ctx *c)\n{\n\treturn db_exec(c, q);\n}\n"),
    ("sql-outside-store", "src/providers/llm_openai.c", 4, 'static const char *t = "COMMIT";\n'),
    ("request-in-service", "src/modules/foo/foo_service.c", 4,
     "int h(struct request *r);\n"),
    ("request-in-service", "src/modules/bar/bar_jobs.c", 3, "struct  request *r;\n"),
    ("set-config", "src/modules/foo/foo_store.c", 8,
     'static const char *s = "SELECT set_config(\'app.tenant_id\', $1, true)";\n'),
]

LINE_RE = re.compile(r"^(src/[^:]+):(\d+): ([a-z0-9-]+): .+$")


def write_tree(root):
    for rel, text in CLEAN.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)


def run(root):
    p = subprocess.run([sys.executable, CHECKER, "--root", root],
                       capture_output=True, text=True, timeout=60)
    return p.returncode, [ln for ln in p.stdout.splitlines() if ln.strip()]


def check_clean(root):
    rc, lines = run(root)
    if rc != 0 or lines:
        return "clean tree: want exit 0 and no output, got %d: %s" % (rc, lines)
    return None


def check_plant(root, rule, rel, line, text):
    with open(os.path.join(root, rel), "a") as f:
        f.write(text)
    rc, lines = run(root)
    if rc == 0:
        return "exit 0 (want non-zero)"
    want = "%s:%d: %s" % (rel, line, rule)
    bad = [ln for ln in lines if not LINE_RE.match(ln)]
    if bad:
        return "malformed output lines: %s" % bad
    if not any(ln.startswith(want + ":") for ln in lines):
        return "no line %r in %s" % (want, lines)
    others = [ln for ln in lines if LINE_RE.match(ln).group(3) != rule]
    if others:
        return "other rules fired too: %s" % others
    return None


def main():
    passed = failed = 0
    base = tempfile.mkdtemp(prefix="check-layers-")
    try:
        cases = [("clean tree passes", None)] + [
            ("%s in %s" % (p[0], p[1]), p) for p in PLANTS]
        for i, (name, plant) in enumerate(cases):
            root = os.path.join(base, "t%d" % i)
            write_tree(root)
            why = check_clean(root) if plant is None else check_plant(root, *plant)
            if why is None:
                passed += 1
                print("ok - %s" % name)
            else:
                failed += 1
                print("not ok - %s: %s" % (name, why))
        # Every rule the checker documents is planted at least once.
        rules = {p[0] for p in PLANTS}
        if len(rules) == 9:
            passed += 1
            print("ok - all 9 rules planted")
        else:
            failed += 1
            print("not ok - planted %d rules, want 9" % len(rules))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
