// book.ts — /book: service → day → time → details → confirm, against the
// public API. One Idempotency-Key per attempt: a retry of the same attempt
// (a lost answer, a double click) books once; changing anything starts a
// new attempt.
import {
  $, api, availability, type Booking, errorText, ics, longDate, money, newKey, pageData, renderSlots, type Slot,
} from './common';

const data = pageData();
const form = $<HTMLFormElement>('book-form');
const date = $<HTMLInputElement>('date');
const slotsBox = $('slots');
const summary = $('summary');
const error = $('form-error');
const confirmBtn = $<HTMLButtonElement>('confirm');
let slot: Slot | null = null;
let key: string | null = null;
let loadSeq = 0;

const service = () => (form.querySelector<HTMLInputElement>('input[name=service]:checked')?.value) || '';
const svc = () => data.services.find((s) => s.id === service());

function showSummary() {
  const s = svc();
  summary.textContent = s && slot
    ? `${s.name} on ${longDate(date.value, data.timezone)} at ${slot.start.slice(11, 16)} · ${money(s.price_minor, s.currency)}`
    : '';
}

async function loadSlots() {
  const seq = ++loadSeq;
  slot = null;
  key = null;
  showSummary();
  if (!service() || !date.value) return;
  slotsBox.replaceChildren(Object.assign(document.createElement('p'), { textContent: 'Looking for free times…' }));
  try {
    const slots = await availability([service()], date.value);
    if (seq !== loadSeq) return;
    renderSlots(slotsBox, slots, date.value, (s) => { slot = s; key = null; error.textContent = ''; showSummary(); });
  } catch (e) {
    if (seq === loadSeq) slotsBox.replaceChildren(Object.assign(document.createElement('p'), { textContent: errorText(e) }));
  }
}

form.addEventListener('change', (ev) => {
  const t = ev.target as HTMLInputElement;
  if (t.name === 'service' || t.id === 'date') void loadSlots();
  else key = null; // details changed: a new attempt
});
form.addEventListener('input', (ev) => {
  if ((ev.target as HTMLElement).closest('#step-details')) key = null;
});

function invalid(id: string, msg: string): string {
  const f = $<HTMLInputElement>(id);
  f.setAttribute('aria-invalid', 'true');
  f.focus();
  return msg;
}

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  error.textContent = '';
  for (const f of form.querySelectorAll('[aria-invalid]')) f.removeAttribute('aria-invalid');
  const name = $<HTMLInputElement>('name').value.trim();
  const email = $<HTMLInputElement>('email').value.trim();
  const phone = $<HTMLInputElement>('phone').value.replace(/[\s().-]/g, '');
  const sms = $<HTMLInputElement>('sms').checked;
  let problem = '';
  if (!service()) problem = 'Choose a service.';
  else if (!slot) problem = 'Choose a time.';
  else if (!name) problem = invalid('name', 'Enter your name.');
  else if (!email && !phone) problem = invalid('email', 'Enter an e-mail address or a phone number.');
  else if (phone && !/^\+[1-9]\d{6,14}$/.test(phone)) problem = invalid('phone', 'Enter the phone number with its country code, like +14155550123.');
  else if (sms && !phone) problem = invalid('phone', 'Text reminders need a phone number.');
  if (problem) {
    error.textContent = problem;
    if (!slot && service()) slotsBox.querySelector('button')?.focus();
    return;
  }
  key ??= newKey();
  const body = {
    services: [{ service_id: service() }],
    start: slot!.start,
    staff_id: slot!.staff[0]?.staff_id ?? null,
    customer: { name, ...(email ? { email } : {}), ...(phone ? { phone } : {}) },
    notes: $<HTMLTextAreaElement>('notes').value.trim() || null,
    sms_consent: sms,
  };
  confirmBtn.disabled = true;
  confirmBtn.textContent = 'Booking…';
  try {
    const b = await api<Booking>('/v1/public/bookings', {
      method: 'POST', body: JSON.stringify(body), headers: { 'idempotency-key': key },
    });
    done(b);
  } catch (e) {
    error.textContent = errorText(e);
    // The time was taken meanwhile: show what is still free.
    if ((e as { status?: number }).status === 409) void loadSlots();
  } finally {
    confirmBtn.disabled = false;
    confirmBtn.textContent = 'Confirm booking';
  }
});

// The waitlist: for the chosen service and day, with the details below.
const waitlistBtn = $<HTMLButtonElement>('waitlist-join');
const waitlistStatus = $('waitlist-status');
waitlistBtn.addEventListener('click', async () => {
  const name = $<HTMLInputElement>('name').value.trim();
  const email = $<HTMLInputElement>('email').value.trim();
  const phone = $<HTMLInputElement>('phone').value.replace(/[\s().-]/g, '');
  const sms = $<HTMLInputElement>('sms').checked;
  waitlistStatus.textContent = !service() || !date.value ? 'Choose a service and a day first.'
    : !name ? 'Enter your name under “Your details”.'
      : sms && !phone ? 'Texts need a phone number under “Your details”.'
        : !sms && !email ? 'Enter your e-mail address under “Your details” (or a phone and “Text me”).' : '';
  if (waitlistStatus.textContent) return;
  waitlistBtn.disabled = true;
  try {
    await api('/v1/public/waitlist', { method: 'POST', body: JSON.stringify({
      service_id: service(), day: date.value, part_of_day: $<HTMLSelectElement>('waitlist-part').value,
      customer: { name, ...(email ? { email } : {}), ...(phone ? { phone } : {}) }, sms_consent: sms,
    }) });
    waitlistStatus.textContent = `You are on the waitlist for ${longDate(date.value, data.timezone)}.`
      + ` We will ${sms ? 'text' : 'e-mail'} you if a time frees up.`;
  } catch (e) {
    waitlistStatus.textContent = errorText(e);
  } finally {
    waitlistBtn.disabled = false;
  }
});

function done(b: Booking) {
  const title = b.services.map((s) => s.name).filter(Boolean).join(' + ') || svc()?.name || 'Appointment';
  form.hidden = true;
  $('ref').textContent = b.reference;
  $('done-when').textContent = `${title}, ${longDate(b.start, data.timezone)} at ${b.start.slice(11, 16)}.`;
  const file = new Blob([ics({ reference: b.reference, start: b.start, end: b.end, title, business: data.name })],
    { type: 'text/calendar' });
  const a = $<HTMLAnchorElement>('ics');
  a.href = URL.createObjectURL(file);
  a.download = `booking-${b.reference}.ics`;
  $<HTMLAnchorElement>('manage').href = `/booking/${b.reference}`;
  const sec = $('done');
  sec.hidden = false;
  sec.focus();
}

void loadSlots();
