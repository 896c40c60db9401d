// lang-es.mjs — how Spanish-speaking customers ask for a booking (see
// lang-en.mjs for the shape every language file has).

const WEEKDAYS = ['domingo', 'lunes', 'martes', 'miércoles', 'jueves', 'viernes', 'sábado'];
const MONTHS = ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre',
  'octubre', 'noviembre', 'diciembre'];

import { inNextWeek } from './lang-en.mjs';

export const code = 'es';

export const services = {
  haircut: ['un corte de pelo', 'corte de pelo', 'un corte', 'cortarme el pelo'],
  beard: ['un arreglo de barba', 'arreglo de barba', 'recortar la barba'],
  colour: ['un tinte', 'tinte', 'color de pelo'],
  manicure: ['una manicura', 'manicura', 'arreglarme las uñas'],
};

export const and = ' y ';
const with_ = ' con ';
export { with_ as with };
export const addons = { wash: ['lavado de pelo', 'un lavado', 'lavado'] };

export const dates = [
  { id: 'today', say: (d) => (d.offset === 0 ? 'hoy' : null) },
  { id: 'tomorrow', say: (d) => (d.offset === 1 ? 'mañana' : null) },
  { id: 'day-after', say: (d) => (d.offset === 2 ? 'pasado mañana' : null) },
  { id: 'weekday', say: (d) => (d.offset >= 2 && d.offset <= 6 ? `el ${WEEKDAYS[d.weekday]}` : null) },
  { id: 'this-weekday', say: (d) => (d.offset >= 2 && d.offset <= 6 ? `este ${WEEKDAYS[d.weekday]}` : null) },
  { id: 'next-week-weekday', say: (d) => (inNextWeek(d) ? `el ${WEEKDAYS[d.weekday]} de la semana que viene` : null) },
  { id: 'the-nth', say: (d) => (d.offset >= 2 && d.offset <= 27 ? `el día ${d.day}` : null) },
  { id: 'day-month', say: (d) => `el ${d.day} de ${MONTHS[d.month - 1]}` },
  { id: 'weekday-day-month', say: (d) => `el ${WEEKDAYS[d.weekday]} ${d.day} de ${MONTHS[d.month - 1]}` },
  { id: 'numeric-dm', say: (d) => `el ${d.day}/${d.month}` },
  { id: 'in-two-weeks', say: (d) => (d.offset === 14 ? 'dentro de dos semanas' : null) },
];

const mm = (m) => String(m % 60).padStart(2, '0');
const h12 = (m) => ((Math.floor(m / 60) + 11) % 12) + 1;
const part = (m) => (m < 720 ? 'de la mañana' : m < 1260 ? 'de la tarde' : 'de la noche');
export const times = [
  { id: '24h', say: (m) => `a las ${Math.floor(m / 60)}:${mm(m)}` },
  { id: '12h-part', say: (m) => (m % 60 === 0 ? `a las ${h12(m)} ${part(m)}` : `a las ${h12(m)}:${mm(m)} ${part(m)}`) },
  { id: 'y-media', say: (m) => (m % 60 === 30 ? `a las ${h12(m)} y media ${part(m)}` : null) },
  { id: 'y-cuarto', say: (m) => (m % 60 === 15 ? `a las ${h12(m)} y cuarto ${part(m)}` : null) },
  { id: 'mediodia', say: (m) => (m === 720 ? 'a mediodía' : null) },
];

export const openers = {
  verb: ['Quiero reservar {s} {d} {t}', '¿Puedo pedir cita para {s} {d} {t}?', 'Quisiera {s} {d} {t}, por favor'],
  verbless: ['{S} {d} {t}', '{S}, {d} {t}'],
  question: ['¿Tienen cita {d} {t} para {s}?', '¿Hay hueco {d} {t} para {s}?'],
  chatty: ['¡Hola! ¿Qué tal? Me gustaría pasar {d} para {s}, {t} si puede ser'],
  everything: ['Hola, soy {n}. Resérvame {s} {d} {t}. Mi correo es {e}.'],
  time_first: ['¿Tienen cita {d} {t}?', '¿Está libre {d} {t}?'],
  piecewise: ['Hola, quiero pedir cita', 'Buenas, ¿puedo reservar?'],
  corrects: ['Quiero {s} {d} {w}... perdón, {t}'],
};

export const replies = {
  yes: ['sí', 'Sí, por favor', 'sí, resérvalo', 'Perfecto, sí'],
  name: (n) => [n, `Soy ${n}`, `Me llamo ${n}`][n.length % 3],
  email: (e) => [e, `mi correo es ${e}`][e.length % 2],
  phone: (p) => p,
  service: (s) => [`${s}`, `Quiero ${s}`][s.length % 2],
  when: (d, t) => `${d} ${t}`,
  time: (t) => t,
};

export const asks = [
  ['confirm', /¿(lo )?(reservo|confirmo)|¿te (lo )?(reservo|confirmo)|¿confirmamos|¿(está|es) (bien|correcto)|\bconfirm|shall i book|should i book|want me to book/i],
  ['which_date', /¿te refieres|¿quieres decir|\bcuál de los dos\b|do you mean/i],
  ['email', /correo|e-?mail/i],
  ['phone', /teléfono|móvil|número|phone/i],
  ['name', /nombre|cómo te llamas|\bname\b/i],
  ['service', /qué servicio|qué te gustaría|which service|what service/i],
  ['pick_time', /cuál (te viene|prefieres)|estas son|huecos|which (one|of these|time)|works for you/i],
  ['when', /qué día|a qué hora|cuándo|what (day|time)|when would/i],
];

export const done = /\b(reservad[ao]|confirmad[ao]|referencia|you're booked|you are booked|reference)\b/i;

export const names = ['Lucía García', 'Javier Martín', 'Carmen López', 'Diego Fernández', 'Elena Sánchez',
  'Pablo Romero', 'Marta Díaz', 'Andrés Torres', 'Rosa Blanco', 'Ángel Moreno'];
