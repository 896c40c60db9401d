// run.mjs — the receptionist's booking evaluation (`make eval`; a small
// version runs in `make test`). Starts `serve` with the built-in
// receptionist, makes SHARDS eval salons, plays each generated case as a
// customer would (answers what it is asked, confirms any proposal, like a
// hurried person — so a misunderstanding becomes a wrong booking, as it
// would for real), then judges by the database, never by the replies:
//   right  = exactly one booking for the customer's e-mail, at the instant
//            meant, for the service meant, under the name given;
//   wrong  = a booking at another instant or for another service, or more
//            than one (the target is 0);
//   wrong name = the right slot under a name the customer never gave.
// Usage: node eval/receptionist/run.mjs [--cases N] [--shards S] [--seed K]
//   [--langs en,es] [--min-right PCT] [--max-wrong N] [--max-median-turns T]
//   [--show N]   (needs the env scripts/eval or scripts/test exports)
import http from 'node:http';
import { parseArgs } from 'node:util';

import { adminSql, cli, lit, randomSlug, sanitizerReport, startServer } from '../../tests/integration/lib.mjs';
import { ADDONS, generate, LANGS, SERVICES, CLOSE, OPEN } from './generate.mjs';

const ZONE = 'America/New_York';
const MAX_TURNS = 8;

const { values: opt } = parseArgs({ options: {
  cases: { type: 'string', default: '1000' }, shards: { type: 'string', default: '10' },
  seed: { type: 'string', default: '1' }, langs: { type: 'string', default: 'en,es' },
  'min-right': { type: 'string' }, 'max-wrong': { type: 'string' }, 'max-median-turns': { type: 'string' },
  show: { type: 'string', default: '12' }, concurrency: { type: 'string', default: '4' },
} });

const SERVICE_IDS = Object.fromEntries(Object.keys(SERVICES).map((k, i) =>
  [k, `e7a10000-0000-4000-8000-00000000000${i + 1}`]));
const ADDON_IDS = { wash: 'e7a10000-0000-4000-8000-0000000000b1' };
const ADDON_NAMES = { wash: 'Hair Wash' };
const SERVICE_NAMES = { haircut: 'Haircut', beard: 'Beard Trim', colour: 'Colour', manicure: 'Manicure' };
const STAFF = 'e7a10000-0000-4000-8000-0000000000a1';

function salon(lang) {
  const slug = randomSlug('eval');
  const id = /created tenant ([0-9a-f-]{36})/.exec(cli('tenant', 'create', '--slug', slug, '--name',
    `Eval Salon ${slug}`, '--timezone', ZONE, '--plan', 'pro'))[1];
  const T = lit(id);
  const hm = (m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  adminSql(`
    UPDATE tenant_profiles SET email = ${lit(`owner@${slug}.example`)}, phone = '+14155550100' WHERE tenant_id = ${T};
    INSERT INTO services (tenant_id, id, name, duration_minutes, price_minor, currency) VALUES
      ${Object.entries(SERVICES).map(([k, d]) => `(${T}, '${SERVICE_IDS[k]}', ${lit(SERVICE_NAMES[k])}, ${d}, ${d * 100}, 'USD')`).join(', ')};
    INSERT INTO service_addons (tenant_id, id, service_id, name, duration_minutes, price_minor, currency) VALUES
      ${Object.entries(ADDONS).flatMap(([s, as]) => Object.entries(as).map(([k, m]) =>
        `(${T}, '${ADDON_IDS[k]}', '${SERVICE_IDS[s]}', ${lit(ADDON_NAMES[k])}, ${m}, ${m * 100}, 'USD')`)).join(', ')};
    INSERT INTO staff (tenant_id, id, display_name) VALUES (${T}, '${STAFF}', 'Alex');
    INSERT INTO staff_services (tenant_id, staff_id, service_id) SELECT ${T}, '${STAFF}', id FROM services WHERE tenant_id = ${T};
    INSERT INTO staff_schedules (tenant_id, staff_id, weekday, starts, ends)
      SELECT ${T}, '${STAFF}', d, '${hm(OPEN)}', '${hm(CLOSE)}' FROM generate_series(1, 6) d;
    INSERT INTO business_hours (tenant_id, weekday, opens, closes)
      SELECT ${T}, d, '${hm(OPEN)}', '${hm(CLOSE)}' FROM generate_series(1, 6) d;
    UPDATE scheduling_settings SET min_notice_minutes = 60, max_days_ahead = 400, slot_step_minutes = 15
      WHERE tenant_id = ${T};
  `);
  void lang;
  return { id, host: `${slug}.localhost` };
}

function post(port, host, path, body) {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    // A connection per request: a kept-alive one the server closes while idle
    // (the runner blocks in psql between turns) ends the next request with
    // "socket hang up" — once in a 1,000-case run on a loaded machine.
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path, setHost: false, agent: false,
      headers: { Host: host, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
    (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { buf += d; });
      res.on('end', () => { try { resolve({ status: res.statusCode, json: JSON.parse(buf) }); } catch { resolve({ status: res.statusCode, json: null }); } });
    });
    req.setTimeout(30000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(payload);
  });
}

const fill = (tpl, c, lang) => tpl
  .replace('{S}', c.servicePhrase[0].toUpperCase() + c.servicePhrase.slice(1))
  .replace('{s}', c.servicePhrase).replace('{d}', c.datePhrase).replace('{t}', c.timePhrase)
  .replace('{w}', c.wrongPhrase).replace('{n}', c.name).replace('{e}', c.email);

// What the customer says next, from what the receptionist just said. A
// question for contact details is answered with every detail it names.
function answer(c, L, reply, slots, said) {
  const asked = new Set(L.asks.filter(([, re]) => re.test(reply)).map(([k]) => k));
  const ask = L.asks.find(([k]) => asked.has(k))?.[0];
  const contact = ['name', 'email', 'phone'].filter((k) => asked.has(k));
  if (ask !== 'confirm' && ask !== 'which_date' && contact.length > 0) {
    for (const k of contact) said.add(k);
    return contact.map((k) => L.replies[k](c[k])).join(', ');
  }
  switch (ask) {
  case 'confirm': return L.replies.yes[c.id % L.replies.yes.length];
  case 'which_date': return L.replies.when(c.fullDate, c.timePhrase);
  case 'service': said.add('service'); return L.replies.service(c.servicePhrase);
  case 'pick_time':
    if ((slots ?? []).some((s) => Date.parse(s.start) === c.at)) return L.replies.time(c.timePhrase);
    return L.replies.when(c.datePhrase, c.timePhrase);
  case 'when': return L.replies.when(c.datePhrase, c.timePhrase);
  default:
    if (c.style === 'time_first' && !said.has('service')) { said.add('service'); return L.replies.service(c.servicePhrase); }
    if (!said.has('name')) { said.add('name'); return L.replies.name(c.name); }
    if (!said.has('email')) { said.add('email'); return L.replies.email(c.email); }
    return fill(L.openers.verb[0], c, L);
  }
}

function bookingsOf(t, email) {
  return JSON.parse(adminSql(`SELECT coalesce(json_agg(x), '[]') FROM (
    SELECT extract(epoch FROM b.starts_at)::bigint * 1000 AS at, b.status, c.name,
      (SELECT array_agg(i.service_id ORDER BY i.position) FROM booking_items i
        WHERE i.tenant_id = b.tenant_id AND i.booking_id = b.id) AS services,
      (SELECT array_agg(a ORDER BY a) FROM booking_items i, unnest(i.addon_ids) a
        WHERE i.tenant_id = b.tenant_id AND i.booking_id = b.id) AS addons
    FROM bookings b JOIN customers c ON c.tenant_id = b.tenant_id AND c.id = b.customer_id
    WHERE b.tenant_id = ${lit(t.id)} AND lower(c.email) = lower(${lit(email)})
      AND b.status <> 'CANCELLED') x`));
}

async function play(srv, t, c) {
  const L = LANGS[c.lang];
  const s = await post(srv.port, t.host, '/v1/chat/session', {});
  if (s.status !== 201) throw new Error(`session: ${s.status}`);
  const sid = s.json.session_id;
  const said = new Set();
  const log = [];
  let msg = fill(c.opener, c, L);
  if (c.style === 'everything') { said.add('name'); said.add('email'); }
  let turns = 0;
  let ms = 0;
  for (; turns < MAX_TURNS; turns++) {
    const t0 = process.hrtime.bigint();
    const r = await post(srv.port, t.host, '/v1/chat/message', { session_id: sid, message: msg });
    ms += Number(process.hrtime.bigint() - t0) / 1e6;
    const reply = r.json?.message?.text ?? `(${r.status})`;
    log.push(`> ${msg}`, `< ${reply}`);
    if (bookingsOf(t, c.email).length > 0) { turns++; break; }
    msg = answer(c, L, reply, r.json?.slots, said);
  }
  const got = bookingsOf(t, c.email);
  // The services in the order asked, with exactly the add-ons asked for.
  const slotRight = got.length === 1 && Number(got[0].at) === c.at
    && JSON.stringify(got[0].services ?? []) === JSON.stringify(c.services.map((s) => SERVICE_IDS[s]))
    && JSON.stringify(got[0].addons ?? []) === JSON.stringify(c.addons.map((a) => ADDON_IDS[a]).sort());
  const right = slotRight && got[0].name === c.name;
  return { ...c, turns, ms: ms / Math.max(1, turns), right, got, log,
    wrong: got.length > 0 && !slotRight, wrongName: slotRight && !right };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : 0; };
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : 0; };

function table(title, results, key) {
  const groups = new Map();
  for (const r of results) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  let out = `\n| ${title} | cases | right | wrong | wrong name | median turns |\n|---|---:|---:|---:|---:|---:|\n`;
  for (const [k, rs] of [...groups].sort()) {
    out += `| ${k} | ${rs.length} | ${(100 * rs.filter((r) => r.right).length / rs.length).toFixed(1)} % | `
      + `${rs.filter((r) => r.wrong).length} | ${rs.filter((r) => r.wrongName).length} | ${median(rs.filter((r) => r.right).map((r) => r.turns))} |\n`;
  }
  return out;
}

async function main() {
  const shards = Number(opt.shards);
  const cases = generate({ n: Number(opt.cases), shards, zone: ZONE, seed: Number(opt.seed), langs: opt.langs.split(',') });
  const srv = await startServer({ CHAT_RATE_IP_PER_MIN: '0', CHAT_RATE_SESSION_PER_MIN: '0', CHAT_NEW_PER_HOUR: '0',
    LLM_PROVIDER: 'offline', REDIS_URL: '', LOG_LEVEL: 'warn' });
  const results = [];
  const conc = Math.max(1, Number(opt.concurrency));
  let memory = null;
  try {
    const salons = Array.from({ length: shards }, (_, i) => salon(i));
    const queue = salons.map((t, i) => ({ t, list: cases.filter((c) => c.shard === i) }));
    // A few salons at a time; each salon's cases in order.
    for (let i = 0; i < queue.length; i += conc) {
      await Promise.all(queue.slice(i, i + conc).map(async ({ t, list }) => {
        for (const c of list) results.push(await play(srv, t, c));
      }));
    }
  } finally {
    // A clean stop, so a sanitizer build reports leaks (make test runs
    // this against the ASan/UBSan build).
    memory = sanitizerReport((await srv.stop('SIGTERM')).stderr);
  }
  const right = results.filter((r) => r.right);
  const wrong = results.filter((r) => r.wrong);
  const turns = right.map((r) => r.turns);
  const rightPct = (100 * right.length) / Math.max(1, results.length);
  let out = `\n## Receptionist booking evaluation (built-in receptionist, ${results.length} cases, seed ${opt.seed})\n\n`;
  out += '| measure | value | target |\n|---|---:|---:|\n';
  out += `| right first time | ${rightPct.toFixed(1)} % (${right.length}/${results.length}) | ≥ 95 % |\n`;
  out += `| wrong bookings (another time or service) | ${wrong.length} | 0 |\n`;
  out += `| right slot, wrong name | ${results.filter((r) => r.wrongName).length} | 0 |\n`;
  out += `| turns when right, median / p90 | ${median(turns)} / ${pct(turns, 0.9)} | median ≤ 4 |\n`;
  out += `| round trip per turn as the runner sees it (${Math.min(conc, shards)} conversations at once), median | ${median(results.map((r) => r.ms)).toFixed(1)} ms | server time: make bench |\n`;
  out += table('language', results, (r) => r.lang);
  out += table('services asked for', results, (r) => `${r.lang} ${r.kind}`);
  out += table('customer style', results, (r) => `${r.lang} ${r.style}`);
  out += table('day said as', results, (r) => `${r.lang} ${r.dateId}`);
  out += table('time said as', results, (r) => `${r.lang} ${r.timeId}`);
  out += table('after a DST change', results, (r) => (r.dst ? 'yes' : 'no'));
  process.stdout.write(out);
  const show = [...wrong, ...results.filter((r) => r.wrongName), ...results.filter((r) => !r.right && !r.wrong && !r.wrongName)].slice(0, Number(opt.show));
  for (const r of show) {
    process.stdout.write(`\n### case ${r.id} (${r.lang}, ${r.style}, ${r.kind}, ${r.dateId}, ${r.timeId}) ${r.wrong ? 'WRONG' : r.wrongName ? 'wrong name' : 'not booked'}`
      + ` — meant ${[...r.services, ...r.addons].join('+')} ${r.date} ${Math.floor(r.minutes / 60)}:${String(r.minutes % 60).padStart(2, '0')}\n`);
    process.stdout.write(`${r.log.map((l) => `    ${l}`).join('\n')}\n`);
  }
  let ok = true;
  if (memory) { ok = false; process.stderr.write(`the server reported a sanitizer error:\n${memory}\n`); }
  if (opt['min-right'] && rightPct < Number(opt['min-right'])) { ok = false; process.stderr.write(`right first time ${rightPct.toFixed(1)} % < ${opt['min-right']} %\n`); }
  if (opt['max-wrong'] !== undefined && wrong.length > Number(opt['max-wrong'])) { ok = false; process.stderr.write(`${wrong.length} wrong bookings > ${opt['max-wrong']}\n`); }
  if (opt['max-median-turns'] && median(turns) > Number(opt['max-median-turns'])) { ok = false; process.stderr.write(`median turns ${median(turns)} > ${opt['max-median-turns']}\n`); }
  process.exit(ok ? 0 : 1);
}

main().catch((e) => { process.stderr.write(`${e.stack || e}\n`); process.exit(2); });
