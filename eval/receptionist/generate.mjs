// generate.mjs — booking conversations to try on the receptionist: a
// language × a customer style × a service × a way of naming the day × a way
// of saying the time, each aimed at a slot that is free in its salon. Seeded,
// so a run can be repeated exactly.
import * as en from './lang-en.mjs';
import * as es from './lang-es.mjs';

export const LANGS = { en, es };

// The eval salon's catalogue (minutes), the same in every shard.
export const SERVICES = { haircut: 30, beard: 15, colour: 90, manicure: 45 };
// Its add-ons (by service key): extra minutes.
export const ADDONS = { haircut: { wash: 10 } };
// Of the cases, about this share asks for two services back to back, and
// this share for a service with an add-on.
const BUNDLE_SHARE = 0.12;
const ADDON_SHARE = 0.1;
export const OPEN = 9 * 60;
export const CLOSE = 18 * 60;

// mulberry32: small, fast, good enough to pick phrasings.
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = (r, xs) => xs[Math.floor(r() * xs.length)];

// The wall clock of zone at instant ms: {date, weekday, minutes}.
export function wall(zone, ms) {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric',
    month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', weekday: 'short', hourCycle: 'h23' })
    .formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const date = `${p.year}-${p.month}-${p.day}`;
  return { date, minutes: Number(p.hour) * 60 + Number(p.minute),
    weekday: new Date(`${date}T12:00:00Z`).getUTCDay() };
}

// The instant (ms) of local date + minutes in zone (the later reading in a
// repeated hour; a time in a skipped hour does not occur, so never asked).
export function instant(zone, date, minutes) {
  const [y, m, d] = date.split('-').map(Number);
  let guess = Date.UTC(y, m - 1, d, Math.floor(minutes / 60), minutes % 60);
  for (let i = 0; i < 3; i++) {
    const w = wall(zone, guess);
    const want = Date.UTC(y, m - 1, d) / 60000 + minutes;
    const got = Date.UTC(...w.date.split('-').map((x, k) => Number(x) - (k === 1 ? 1 : 0))) / 60000 + w.minutes;
    if (want === got) return guess;
    guess += (want - got) * 60000;
  }
  return guess;
}

const addDays = (date, n) => new Date(Date.parse(`${date}T12:00:00Z`) + n * 86400000).toISOString().slice(0, 10);

// The first local day on or after `from` whose UTC offset differs from the
// day before (a DST change), within a year; null if the zone has none.
function nextDstDay(zone, from) {
  const off = (date) => instant(zone, date, 12 * 60) - Date.parse(`${date}T12:00:00Z`);
  for (let i = 1; i < 370; i++) {
    const d = addDays(from, i);
    if (off(d) !== off(addDays(d, -1))) return d;
  }
  return null;
}

function dayInfo(today, date) {
  const [, month, day] = date.split('-').map(Number);
  return { date, month, day, weekday: new Date(`${date}T12:00:00Z`).getUTCDay(),
    offset: Math.round((Date.parse(`${date}T12:00:00Z`) - Date.parse(`${today}T12:00:00Z`)) / 86400000) };
}

const STYLES = ['verb', 'verbless', 'question', 'chatty', 'everything', 'time_first', 'piecewise', 'corrects'];

/** n cases over `shards` salons in zone, from now (ms). */
export function generate({ n, shards, zone, now = Date.now(), seed = 1, langs = ['en', 'es'] }) {
  const r = rng(seed);
  const today = wall(zone, now).date;
  const earliest = wall(zone, now + 90 * 60000);	// an hour's notice and a margin
  const dst = nextDstDay(zone, today);
  // Days on offer: the next four weeks, and the week after the next DST change.
  const days = [];
  for (let i = 0; i <= 28; i++) days.push(addDays(today, i));
  if (dst) for (let i = 0; i < 7; i++) days.push(addDays(dst, i));
  const busy = Array.from({ length: shards }, () => new Map());	// shard → date → [start, end][]
  const cases = [];
  for (let tries = 0; cases.length < n && tries < n * 200; tries++) {
    const lang = LANGS[langs[cases.length % langs.length]];
    const style = pick(r, STYLES);
    // One service; two back to back ("a haircut and a beard trim"); or one
    // with an add-on ("a haircut with a hair wash").
    const roll = r();
    const kind = roll < BUNDLE_SHARE ? 'bundle' : roll < BUNDLE_SHARE + ADDON_SHARE ? 'addon' : 'single';
    const service = kind === 'addon' ? pick(r, Object.keys(ADDONS)) : pick(r, Object.keys(SERVICES));
    const second = kind === 'bundle' ? pick(r, Object.keys(SERVICES).filter((s) => s !== service)) : null;
    const addon = kind === 'addon' ? pick(r, Object.keys(ADDONS[service])) : null;
    const services = second ? [service, second] : [service];
    const dur = services.reduce((m, s) => m + SERVICES[s], 0) + (addon ? ADDONS[service][addon] : 0);
    const dp = pick(r, lang.dates);
    const d = dayInfo(today, pick(r, days));
    if (d.weekday === 0) continue;	// closed on Sundays
    const dPhrase = dp.say(d);
    if (!dPhrase) continue;
    const tp = pick(r, lang.times);
    // A start on the quarter hour from which the whole visit ends by closing
    // (an add-on's 10 minutes make dur no multiple of 15).
    const minutes = OPEN + 15 * Math.floor(r() * (Math.floor((CLOSE - dur - OPEN) / 15) + 1));
    const tPhrase = tp.say(minutes);
    if (!tPhrase) continue;
    if (d.date === today && (earliest.date !== today || minutes < earliest.minutes)) continue;
    if (d.date < today) continue;
    const shard = cases.length % shards;
    const taken = busy[shard].get(d.date) ?? [];
    if (taken.some(([a, b]) => minutes < b && a < minutes + dur)) continue;
    taken.push([minutes, minutes + dur]);
    busy[shard].set(d.date, taken);
    const k = cases.length;
    const name = lang.names[k % lang.names.length];
    const email = `${name.toLowerCase().normalize('NFD').replace(/[^a-z]+/g, '.')}.${k}@eval.example`;
    const wrongMinutes = minutes + (minutes + 60 + dur <= CLOSE ? 60 : -60);
    let servicePhrase = pick(r, lang.services[service]);
    if (second) servicePhrase += lang.and + pick(r, lang.services[second]);
    if (addon) servicePhrase += lang.with + pick(r, lang.addons[addon]);
    cases.push({
      id: k, shard, lang: lang.code, style, kind, service, services, addons: addon ? [addon] : [],
      date: d.date, minutes,
      at: instant(zone, d.date, minutes),
      dateId: dp.id, timeId: tp.id, dst: dst !== null && d.date >= dst,
      servicePhrase, datePhrase: dPhrase, timePhrase: tPhrase,
      wrongPhrase: tp.say(wrongMinutes) ?? lang.times[0].say(wrongMinutes),
      fullDate: (lang.dates.find((x) => x.id === 'weekday-month-day' || x.id === 'weekday-day-month')).say(d),
      name, email, phone: `+1415555${String(1000 + k).slice(-4)}`,
      opener: pick(r, lang.openers[style]),
    });
  }
  return cases;
}
