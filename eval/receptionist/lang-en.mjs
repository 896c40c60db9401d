// lang-en.mjs — how English-speaking customers ask for a booking, and how
// the simulated customer reads the receptionist's replies. Data and small
// functions only: a language is one file like this (lang-es.mjs).

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];
const ord = (n) => `${n}${n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th'}`;

export const code = 'en';

// The documented rule (docs/eval.md): "next week" is the Monday-to-Sunday
// week after tomorrow's. d.offset days from today, d.weekday 0 = Sunday.
export function inNextWeek(d) {
  const isoTomorrow = ((d.weekday - d.offset + 1) % 7 + 7) % 7 || 7;
  const monday = 1 - (isoTomorrow - 1) + 7;
  return d.offset >= monday && d.offset <= monday + 6;
}

// What a customer calls each service of the eval salon (by service key).
export const services = {
  haircut: ['haircut', 'a haircut', 'hair cut', 'a trim and cut', 'haircut'],
  beard: ['beard trim', 'a beard trim', 'my beard trimmed', 'beard tidy-up'],
  colour: ['colour', 'a colour', 'hair color', 'colouring'],
  manicure: ['manicure', 'a manicure', 'mani', 'my nails done'],
};

// Several services, and an add-on with one ("a haircut with a hair wash").
export const and = ' and ';
const with_ = ' with ';
export { with_ as with };
export const addons = { wash: ['a hair wash', 'a wash', 'hair wash'] };

// Ways to name a day. Each returns a phrase for the target day d (a
// {date, weekday, day, month, offset} record, offset = days from today), or
// null when the phrasing cannot name that day. `ambiguous` marks phrasings
// the receptionist must ask about rather than pick (rule in the docs).
export const dates = [
  { id: 'today', say: (d) => (d.offset === 0 ? 'today' : null) },
  { id: 'tomorrow', say: (d) => (d.offset === 1 ? 'tomorrow' : null) },
  { id: 'day-after', say: (d) => (d.offset === 2 ? 'the day after tomorrow' : null) },
  { id: 'weekday', say: (d) => (d.offset >= 2 && d.offset <= 6 ? `on ${WEEKDAYS[d.weekday]}` : null) },
  { id: 'this-weekday', say: (d) => (d.offset >= 2 && d.offset <= 6 ? `this ${WEEKDAYS[d.weekday]}` : null) },
  { id: 'next-week-weekday', say: (d) => (inNextWeek(d) ? `${WEEKDAYS[d.weekday]} next week` : null) },
  { id: 'the-nth', say: (d) => (d.offset >= 2 && d.offset <= 27 ? `on the ${ord(d.day)}` : null) },
  { id: 'month-day', say: (d) => `${MONTHS[d.month - 1]} ${d.day}` },
  { id: 'day-month', say: (d) => `${d.day} ${MONTHS[d.month - 1]}` },
  { id: 'weekday-month-day', say: (d) => `${WEEKDAYS[d.weekday]} ${MONTHS[d.month - 1]} ${ord(d.day)}` },
  { id: 'short-month', say: (d) => `${MONTHS[d.month - 1].slice(0, 3)} ${ord(d.day)}` },
  { id: 'numeric-us', say: (d) => `${d.month}/${d.day}` },
  { id: 'in-two-weeks', say: (d) => (d.offset === 14 ? 'in two weeks' : null) },
];

// Ways to say a time of day (minutes after midnight).
const h12 = (m) => ((Math.floor(m / 60) + 11) % 12) + 1;
const ampm = (m) => (m < 720 ? 'am' : 'pm');
const mm = (m) => String(m % 60).padStart(2, '0');
export const times = [
  { id: '12h', say: (m) => `${h12(m)}:${mm(m)}${ampm(m)}` },
  { id: '12h-space', say: (m) => `${h12(m)}:${mm(m)} ${ampm(m).toUpperCase()}` },
  { id: '24h', say: (m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${mm(m)}` },
  { id: 'hour-only', say: (m) => (m % 60 === 0 ? `${h12(m)}${ampm(m)}` : null) },
  { id: 'oclock', say: (m) => (m % 60 === 0 && m >= 780 ? `${h12(m)} o'clock` : null) },
  { id: 'half-past', say: (m) => (m % 60 === 30 ? `half past ${h12(m)}${m >= 780 ? ' in the afternoon' : ''}` : null) },
  { id: 'quarter-past', say: (m) => (m % 60 === 15 ? `quarter past ${h12(m)} ${ampm(m)}` : null) },
  { id: 'noon', say: (m) => (m === 720 ? 'noon' : null) },
  { id: 'dot', say: (m) => `${h12(m)}.${mm(m)}${ampm(m)}` },
];

// Opening lines by customer style; {s} service, {d} day, {t} time,
// {n} name, {e} e-mail.
export const openers = {
  verb: ['Can I book {s} {d} at {t}?', 'I would like to book {s} {d} at {t}', "I'd like {s} {d} at {t} please"],
  verbless: ['{S} {d}, {t}', '{S} {d} at {t}?', '{S} {d} {t}'],
  question: ['Any chance of {s} {d} at {t}?', 'Do you have anything for {s} {d} at {t}?', 'Is {t} {d} free for {s}?'],
  chatty: ['Hi there! Hope you are well. I was wondering if I could come in for {s} {d}, ideally at {t} if that works?'],
  everything: ["Hi, I'm {n}. Please book {s} {d} at {t}. My email is {e}."],
  time_first: ['Are you free {d} at {t}?', 'Do you have {t} {d}?'],
  piecewise: ['Hi, I need an appointment', 'Hello, can I make a booking?'],
  corrects: ['Can I book {s} {d} at {w}... sorry, I mean {t}', '{S} {d} at {w}, no wait, {t} is better'],
};

export const replies = {
  yes: ['yes', 'Yes please', 'yes, book it', 'Sounds good, yes'],
  name: (n) => [n, `It's ${n}`, `My name is ${n}`][n.length % 3],
  email: (e) => [e, `it's ${e}`, `${e} thanks`][e.length % 3],
  phone: (p) => p,
  service: (s) => [`${s}`, `I'd like ${s}`][s.length % 2],
  when: (d, t) => `${d} at ${t}`,
  time: (t) => t,
};

// What the receptionist's reply asks for, most specific first.
export const asks = [
  ['confirm', /\b(shall|should|can) i (go ahead and )?(book|confirm|reserve)|\bconfirm\b.*\?|want me to book|does that (work|sound)|is that (right|correct)|book (it|this)( for you)?\?/i],
  ['which_date', /\b(do|did) you mean\b|\bwhich (day|date|one do you mean)\b/i],
  ['email', /e-?mail/i],
  ['phone', /phone|mobile|number/i],
  ['name', /\bname\b/i],
  ['service', /which service|what service|what (would|can) (you|i)|which treatment|what are you looking/i],
  ['pick_time', /which (one|of these|time)|works for you|these are|openings|available/i],
  ['when', /what (day|date|time)|when would|which day|when (do|would) you/i],
];

export const done = /\b(you're booked|you are booked|booked!|all set|is confirmed|confirmation|reference)\b/i;

export const names = ['Jane Doe', 'Carlos Ruiz', 'Mei Chen', 'Tom Baker', 'Aisha Khan', "Liam O'Neil",
  'Sofia Rossi', 'Noah Smith', 'Grace Hope', 'Will Turner', 'Rose Martin', 'Ben Colour'];
