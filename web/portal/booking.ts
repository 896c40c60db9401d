// booking.ts — /booking/{ref}: once the visitor gives the booking's e-mail
// or phone, show it, and let them cancel or move it.
import {
  $, api, availability, type Booking, errorText, longDate, money, pageData, renderSlots, type Slot,
} from './common';

const data = pageData();
const ref = data.reference || '';
let proof: { email?: string; phone?: string } = {};
let booking: Booking | null = null;
let newSlot: Slot | null = null;

const details = $('details');
const facts = $('facts');
const statusLine = $('action-status');
const cancelBtn = $<HTMLButtonElement>('cancel');
const reschedOpen = $<HTMLButtonElement>('reschedule-open');
const resched = $('reschedule');
const newDate = $<HTMLInputElement>('new-date');
const newSlots = $('new-slots');
const reschedErr = $('resched-error');

function proofOf(v: string) {
  v = v.trim();
  return v.includes('@') ? { email: v } : { phone: v.replace(/[\s().-]/g, '') };
}

function row(term: string, value: string) {
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.textContent = value;
  facts.append(dt, dd);
}

function show(b: Booking) {
  booking = b;
  facts.replaceChildren();
  const names = b.services.map((s) => s.name).filter(Boolean).join(' + ');
  row('Reference', b.reference);
  row('Status', b.status === 'CANCELLED' ? 'Cancelled' : b.status === 'CONFIRMED' ? 'Confirmed' : b.status);
  if (names) row('Service', names);
  row('When', `${longDate(b.start, data.timezone)}, ${b.start.slice(11, 16)}–${b.end.slice(11, 16)}`);
  const staff = b.services.map((s) => s.staff_name).filter(Boolean).join(', ');
  if (staff) row('With', staff);
  if (b.currency) row('Price', money(b.total, b.currency));
  const active = b.status !== 'CANCELLED' && b.status !== 'COMPLETED' && b.status !== 'NO_SHOW';
  cancelBtn.hidden = !active;
  reschedOpen.hidden = !active;
  if (!active) resched.hidden = true;
  details.hidden = false;
}

$<HTMLFormElement>('verify-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const err = $('verify-error');
  const v = $<HTMLInputElement>('contact').value;
  err.textContent = '';
  if (!v.trim()) { err.textContent = 'Enter the e-mail address or phone number you booked with.'; return; }
  proof = proofOf(v);
  try {
    const q = new URLSearchParams(proof as Record<string, string>);
    show(await api<Booking>(`/v1/public/bookings/${encodeURIComponent(ref)}?${q}`));
    $('verify-form').hidden = true;
    details.focus();
  } catch (e) {
    err.textContent = errorText(e);
  }
});

let armed = false;
cancelBtn.addEventListener('click', async () => {
  if (!armed) {
    armed = true;
    cancelBtn.textContent = 'Yes, cancel it';
    statusLine.textContent = 'Press again to confirm the cancellation.';
    return;
  }
  cancelBtn.disabled = true;
  try {
    show(await api<Booking>(`/v1/public/bookings/${encodeURIComponent(ref)}/cancel`,
      { method: 'POST', body: JSON.stringify(proof) }));
    statusLine.textContent = 'Your booking is cancelled.';
    details.focus();
  } catch (e) {
    statusLine.textContent = errorText(e);
  } finally {
    armed = false;
    cancelBtn.disabled = false;
    cancelBtn.textContent = 'Cancel booking';
  }
});

let loadSeq = 0;
async function loadNewSlots() {
  const seq = ++loadSeq;
  const day = newDate.value;
  newSlot = null;
  if (!booking || !day) return;
  try {
    const slots = await availability(booking.services.map((s) => s.service_id), day);
    // Only the answer for the day now chosen is shown.
    if (seq === loadSeq) renderSlots(newSlots, slots, day, (s) => { newSlot = s; reschedErr.textContent = ''; });
  } catch (e) {
    if (seq === loadSeq) newSlots.textContent = errorText(e);
  }
}

reschedOpen.addEventListener('click', () => {
  resched.hidden = false;
  newDate.min = data.today;
  newDate.value ||= booking ? booking.start.slice(0, 10) : data.today;
  void loadNewSlots();
  newDate.focus();
});
newDate.addEventListener('change', () => { void loadNewSlots(); });

$<HTMLButtonElement>('reschedule-confirm').addEventListener('click', async () => {
  if (!newSlot) { reschedErr.textContent = 'Choose a new time first.'; return; }
  try {
    const b = await api<Booking>(`/v1/public/bookings/${encodeURIComponent(ref)}/reschedule`, {
      method: 'POST',
      body: JSON.stringify({ ...proof, start: newSlot.start, staff_id: newSlot.staff[0]?.staff_id ?? null }),
    });
    show(b);
    resched.hidden = true;
    statusLine.textContent = `Moved to ${longDate(b.start, data.timezone)} at ${b.start.slice(11, 16)}.`;
    details.focus();
  } catch (e) {
    reschedErr.textContent = errorText(e);
    if ((e as { status?: number }).status === 409) void loadNewSlots();
  }
});
