// web/build.mjs — `npm run build`: type-checks web/ and bundles it into
// web/dist with esbuild. Content-hashed names under dist/assets/ (cached for
// a year by `serve`), plus dist/widget.js, the loader every embedding site
// links by that fixed name, and dist/manifest.json mapping logical names to
// the hashed files (read by `serve` to write <script>/<link> tags). Each
// file gets a .gz twin that `serve` sends to clients accepting gzip.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import * as esbuild from 'esbuild';

const WEB = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(WEB, '..');
const DIST = path.join(WEB, 'dist');
const ASSETS = path.join(DIST, 'assets');

const common = {
  bundle: true,
  minify: !process.env.NO_MINIFY, // NO_MINIFY=1: readable names in a profile
  target: ['es2020'],
  legalComments: 'none',
  charset: 'utf8',
  logLevel: 'warning',
  write: false,
};

function hashName(name, ext, bytes) {
  const h = createHash('sha256').update(bytes).digest('base64url').slice(0, 10).replace(/[-_]/g, 'x');
  return `${name}-${h}${ext}`;
}

function emit(rel, bytes) {
  const file = path.join(DIST, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  fs.writeFileSync(`${file}.gz`, zlib.gzipSync(bytes, { level: 9 }));
}

async function bundle(entry, format, define = {}) {
  const r = await esbuild.build({ ...common, entryPoints: [path.join(WEB, entry)], format, define });
  return Buffer.from(r.outputFiles[0].contents);
}

async function main() {
  if (!process.argv.includes('--no-typecheck')) {
    // The service worker has its own (WebWorker) library: a second project.
    for (const project of ['tsconfig.json', 'tsconfig.sw.json']) {
      execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p',
        path.join(WEB, project)], { stdio: 'inherit' });
    }
  }
  fs.rmSync(DIST, { recursive: true, force: true });
  fs.mkdirSync(ASSETS, { recursive: true });
  const manifest = {};
  const put = (logical, name, ext, bytes) => {
    const file = hashName(name, ext, bytes);
    emit(`assets/${file}`, bytes);
    manifest[logical] = `assets/${file}`;
  };

  // The chat UI: an ES module the loader imports when the widget opens.
  const ui = await bundle('widget/ui.ts', 'esm');
  put('widget-ui.js', 'widget-ui', '.js', ui);
  // The loader knows the UI's hashed name, so a new build is picked up as
  // soon as the short-cached widget.js is.
  const loader = await bundle('widget/loader.ts', 'iife',
    { __UI_CHUNK__: JSON.stringify(manifest['widget-ui.js']) });
  emit('widget.js', loader);
  manifest['widget.js'] = 'widget.js';
  put('widget-loader.js', 'widget', '.js', loader);

  put('portal-book.js', 'portal-book', '.js', await bundle('portal/book.ts', 'iife'));
  put('portal-booking.js', 'portal-booking', '.js', await bundle('portal/booking.ts', 'iife'));
  put('portal-confirm.js', 'portal-confirm', '.js', await bundle('portal/confirm.ts', 'iife'));
  put('portal-offer.js', 'portal-offer', '.js', await bundle('portal/offer.ts', 'iife'));
  const css = await esbuild.build({ ...common, entryPoints: [path.join(WEB, 'portal/portal.css')],
    loader: { '.css': 'css' } });
  put('portal.css', 'portal', '.css', Buffer.from(css.outputFiles[0].contents));

  const admin = await buildAdmin(put, manifest);
  // The admin app's service worker (Web Push): a fixed name, served by the
  // C server at /admin/sw.js so its scope is the app's (not hashed: the
  // browser re-checks it by that URL).
  emit('admin-sw.js', await bundle('admin/sw.ts', 'iife'));
  manifest['admin-sw.js'] = 'admin-sw.js';

  fs.writeFileSync(path.join(DIST, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const gz = (b) => zlib.gzipSync(b, { level: 9 }).length;
  process.stdout.write(`web/dist: widget.js ${loader.length} B (${gz(loader)} B gzip),`
    + ` UI ${ui.length} B (${gz(ui)} B gzip); admin shell ${admin.shell} B gzip`
    + ` (${admin.chunks} chunks)\n`);
  // The shell (the entry and what it imports up front) has a budget: the
  // pages are lazy chunks and do not count (issue 13: ≤ 60 KB gzip).
  if (admin.shell > ADMIN_SHELL_BUDGET) {
    throw new Error(`admin shell is ${admin.shell} B gzip, over ${ADMIN_SHELL_BUDGET} B`);
  }
}

const ADMIN_SHELL_BUDGET = 60 * 1024;

// The admin app (web/admin/): an ES module entry plus one lazy chunk per
// page. esbuild names each file by its content hash; the entry's logical
// name is admin.js. Returns the gzip size of what the first paint loads
// (the entry and its static imports) and the number of chunks.
async function buildAdmin(put, manifest) {
  const r = await esbuild.build({
    ...common,
    entryPoints: { admin: path.join(WEB, 'admin/main.tsx') },
    format: 'esm',
    splitting: true,
    outdir: ASSETS,
    entryNames: '[name]-[hash]',
    chunkNames: 'admin-chunk-[hash]',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    metafile: true,
    absWorkingDir: ROOT,
  });
  let entry = null;
  for (const f of r.outputFiles) {
    const rel = path.relative(DIST, f.path);
    emit(rel, Buffer.from(f.contents));
    if (/\/admin-[^/]*\.js$/.test(f.path) && !f.path.includes('admin-chunk-')) entry = rel;
  }
  if (!entry) throw new Error('admin entry not found in the build output');
  manifest['admin.js'] = entry;
  const css = await esbuild.build({ ...common, entryPoints: [path.join(WEB, 'admin/admin.css')],
    loader: { '.css': 'css' } });
  put('admin.css', 'admin', '.css', Buffer.from(css.outputFiles[0].contents));
  // Static imports of the entry, transitively: what loads before any page.
  const outputs = r.metafile.outputs;
  const seen = new Set();
  const walk = (rel) => {
    if (seen.has(rel)) return;
    seen.add(rel);
    for (const imp of outputs[rel].imports) if (imp.kind === 'import-statement') walk(imp.path);
  };
  const entryOut = Object.keys(outputs).find((k) => k.endsWith(path.basename(entry)));
  walk(entryOut);
  let shell = 0;
  for (const rel of seen) shell += zlib.gzipSync(fs.readFileSync(path.resolve(ROOT, rel))).length;
  // What the shell page preloads (<link rel="modulepreload">, manifest
  // keys admin-pre-N): the entry's static imports, which the browser would
  // otherwise find only once it has parsed the entry, and the two pages a
  // visit starts on — sign-in and Today — with theirs.
  const pre = new Set([...seen].filter((rel) => rel !== entryOut));
  const first = new Set(seen);
  const pages = ['web/admin/pages/auth.tsx', 'web/admin/pages/today.tsx'];
  for (const [rel, o] of Object.entries(outputs)) {
    if (!o.entryPoint || !pages.includes(o.entryPoint)) continue;
    const mark = (r) => {
      if (first.has(r)) return;
      first.add(r);
      pre.add(r);
      for (const imp of outputs[r].imports) if (imp.kind === 'import-statement') mark(imp.path);
    };
    mark(rel);
  }
  [...pre].forEach((rel, i) => { manifest[`admin-pre-${i}`] = path.relative(DIST, path.resolve(ROOT, rel)); });
  shell += zlib.gzipSync(css.outputFiles[0].contents).length;
  return { shell, chunks: Object.keys(outputs).length - 1 };
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exit(1);
});
