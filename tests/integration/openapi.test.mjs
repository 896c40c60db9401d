// openapi.test.mjs — docs/openapi.yaml documents every route the router
// serves and nothing else, so neither drifts again. The served table comes
// from `receptionist routes` (the registry mount `serve` uses, test-only
// routes left out), itself checked against a running server's table.
//
// Methods: HEAD is answered wherever GET is (router.c), so it is implied by
// a documented `get` and never documented on its own; OPTIONS is the CORS
// preflight the web module answers for any path, not a route. Both are left
// out of the comparison. Path parameters compare by position, not by name.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';

import { REPO_ROOT, killAll, request, sanitizerReport, spawnProcess, startServer } from './lib.mjs';

after(killAll);

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options', 'trace'];
const IGNORED = new Set(['HEAD', 'OPTIONS']);

const key = (method, pattern) => `${method} ${pattern.replace(/\{[^}/]+\}/g, '{}')}`;

// The keys under `paths:` (two-space indent) and their method keys (four):
// enough YAML for this, and no YAML library is installed.
function documented() {
  const text = readFileSync(path.join(REPO_ROOT, 'docs/openapi.yaml'), 'utf8');
  const out = new Set();
  let inPaths = false;
  let cur = null;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+#.*$/, '');
    if (/^\S/.test(line)) {
      inPaths = /^paths:\s*$/.test(line);
      cur = null;
      continue;
    }
    if (!inPaths || line.trim() === '' || line.trim().startsWith('#')) continue;
    const p = /^ {2}(['"]?)(\/[^'"]*)\1:\s*$/.exec(line);
    if (p) {
      cur = p[2];
      continue;
    }
    const m = /^ {4}([a-z]+):/.exec(line);
    if (m && cur && METHODS.includes(m[1]) && !IGNORED.has(m[1].toUpperCase())) {
      out.add(key(m[1].toUpperCase(), cur));
    }
  }
  return out;
}

// `receptionist routes`: "GET, HEAD\t/pattern" a line.
async function listed(env = {}) {
  const h = spawnProcess('routes', env);
  const r = await h.exited;
  assert.equal(sanitizerReport(r.stderr), null, r.stderr);
  assert.equal(r.code, 0, r.stderr);
  return h.stdout().split('\n').filter(Boolean).map((line) => {
    const [methods, pattern, extra] = line.split('\t');
    assert.ok(pattern && extra === undefined, `malformed line ${JSON.stringify(line)}`);
    return { methods: methods.split(', '), pattern };
  });
}

function served(routes) {
  const out = new Set();
  for (const r of routes) {
    for (const m of r.methods) if (!IGNORED.has(m)) out.add(key(m, r.pattern));
  }
  return out;
}

test('`receptionist routes` prints what serve mounts, test-only routes left out', async (t) => {
  // Test routes on: the command must still leave them out.
  const routes = await listed({ ENABLE_TEST_ROUTES: 'true', DATABASE_URL: '' });
  assert.ok(routes.length > 50, `only ${routes.length} routes`);
  for (const r of routes) assert.doesNotMatch(r.pattern, /^\/v1\/test\//);
  for (const p of ['/healthz', '/', '/book', '/v1/auth/login', '/v1/platform/tenants']) {
    assert.ok(routes.some((r) => r.pattern === p), `${p} missing (web_mount/auth_mount?)`);
  }

  const srv = await startServer({ ENABLE_TEST_ROUTES: 'true' });
  t.after(() => srv.kill());
  const res = await request({ port: srv.port, path: '/v1/test/routes' });
  assert.equal(res.status, 200, res.text);
  const live = res.json.items
    .filter((r) => !r.pattern.startsWith('/v1/test/'))
    .map((r) => `${r.methods.join(',')} ${r.pattern}`);
  const cmd = routes.map((r) => `${r.methods.filter((m) => m !== 'HEAD').join(',')} ${r.pattern}`);
  assert.deepEqual(cmd, live);
});

test('every served route is documented in docs/openapi.yaml, and only those', async () => {
  const have = served(await listed());
  const docs = documented();
  assert.ok(docs.size > 50, `parsed only ${docs.size} documented operations`);
  const undocumented = [...have].filter((k) => !docs.has(k)).sort();
  const unserved = [...docs].filter((k) => !have.has(k)).sort();
  // Both lists in one assertion, so a failure shows every difference.
  assert.deepEqual({ undocumented, unserved }, { undocumented: [], unserved: [] },
    'undocumented: served, not in docs/openapi.yaml; unserved: documented, not served');
});
