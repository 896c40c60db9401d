// common.ts — what the portal's page scripts share: the data the server
// inlined in the page (#rcp-data), calls to the public API on this host,
// slot lists, and formatting in the business's time zone.

export interface Service {
  id: string; name: string; duration_minutes: number; price_minor: number; currency: string;
}
export interface PageData {
  slug: string; name: string; timezone: string; today: string;
  services: Service[]; reference?: string;
}
export interface Slot {
  start: string; end: string;
  staff: { service_id: string; staff_id: string; staff_name: string | null }[];
}

export class ApiError extends Error {
  constructor(public status: number, message: string, public fields: string[]) { super(message); }
}

export function pageData(): PageData {
  const el = document.getElementById('rcp-data');
  return JSON.parse(el?.textContent || '{}') as PageData;
}

export const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers: { 'content-type': 'application/json', ...(init.headers || {}) } });
  } catch {
    throw new ApiError(0, 'We could not reach the server. Check your connection and try again.', []);
  }
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const e = body?.error;
    const fields = Array.isArray(e?.details) ? e.details.map((d: { field: string; issue: string }) => `${d.field} ${d.issue}`) : [];
    let msg = e?.message || 'Something went wrong.';
    if (res.status === 429) msg = 'Too many attempts. Please wait a moment and try again.';
    throw new ApiError(res.status, msg, fields);
  }
  return body as T;
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.fields.length ? `${e.message} (${e.fields.join('; ')})` : e.message;
  return 'Something went wrong.';
}

/** "15:00" — the API's times are already in the business's zone. */
export const clock = (rfc3339: string) => rfc3339.slice(11, 16);

export function longDate(rfc3339OrDate: string, tz: string): string {
  const d = rfc3339OrDate.length === 10 ? new Date(`${rfc3339OrDate}T12:00:00Z`) : new Date(rfc3339OrDate);
  return new Intl.DateTimeFormat(undefined, {
    weekday: 'long', day: 'numeric', month: 'long', year: 'numeric',
    timeZone: rfc3339OrDate.length === 10 ? 'UTC' : tz,
  }).format(d);
}

export function money(minor: number, currency: string): string {
  if (!minor) return 'Free';
  try {
    const digits = new Intl.NumberFormat(undefined, { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(minor / 10 ** digits);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}

export async function availability(serviceIds: string[], date: string): Promise<Slot[]> {
  const q = new URLSearchParams();
  for (const id of serviceIds) q.append('service_id', id);
  q.set('date', date);
  q.set('days', '1');
  const r = await api<{ slots: Slot[] }>(`/v1/public/availability?${q}`);
  return r.slots;
}

/** Renders slots as a group of toggle buttons; onPick gets the chosen one. */
export function renderSlots(box: HTMLElement, slots: Slot[], date: string,
  onPick: (s: Slot, b: HTMLButtonElement) => void): void {
  box.replaceChildren();
  box.dataset.date = date;
  if (!slots.length) {
    const p = document.createElement('p');
    p.textContent = 'No free times on this day. Try another day.';
    box.append(p);
    return;
  }
  const group = document.createElement('div');
  group.className = 'slot-list';
  group.setAttribute('role', 'group');
  group.setAttribute('aria-label', 'Free times');
  for (const s of slots) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'slot';
    b.textContent = clock(s.start);
    const who = s.staff.map((x) => x.staff_name).filter(Boolean).join(', ');
    if (who) b.title = `with ${who}`;
    b.setAttribute('aria-pressed', 'false');
    b.addEventListener('click', () => {
      for (const x of group.querySelectorAll('button')) x.setAttribute('aria-pressed', 'false');
      b.setAttribute('aria-pressed', 'true');
      onPick(s, b);
    });
    group.append(b);
  }
  const p = document.createElement('p');
  p.className = 'sr-only';
  p.textContent = `${slots.length} free times.`;
  box.append(p, group);
}

/** A random key for one booking attempt (Idempotency-Key). */
export function newKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

const icsText = (s: string) => s.replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\r?\n/g, '\\n');
const icsTime = (rfc3339: string) => new Date(rfc3339).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** An iCalendar file for one booking (RFC 5545), times in UTC. */
export function ics(b: { reference: string; start: string; end: string; title: string; business: string }): string {
  return [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//booking//EN', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:${b.reference}@${location.hostname}`,
    `DTSTAMP:${icsTime(new Date().toISOString())}`,
    `DTSTART:${icsTime(b.start)}`,
    `DTEND:${icsTime(b.end)}`,
    `SUMMARY:${icsText(`${b.title} at ${b.business}`)}`,
    `DESCRIPTION:${icsText(`Booking reference ${b.reference}. Manage it at ${location.origin}/booking/${b.reference}`)}`,
    `URL:${location.origin}/booking/${b.reference}`,
    'END:VEVENT', 'END:VCALENDAR', '',
  ].join('\r\n');
}

export interface Booking {
  reference: string; status: string; start: string; end: string; total: number; currency: string | null;
  cancel_until: string;
  services: { service_id: string; name: string | null; start: string; end: string; staff_name: string | null; staff_id: string }[];
  customer: { name: string };
}
