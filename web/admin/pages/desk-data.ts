// desk-data.ts — what the desk's pages (Today, Calendar, Bookings) share:
// the API's booking, staff and service shapes, loading a whole range of
// bookings through the cursor, who "I" am on the schedule, the status
// words and the transitions the server allows, and a live reload hook.
import { useEffect, useRef } from 'preact/hooks';
import { api, qs, type Page } from '../api';
import { can, me } from '../state';
import { subscribe } from '../live';

export type Status = 'PENDING' | 'CONFIRMED' | 'IN_PROGRESS' | 'COMPLETED' | 'CANCELLED' | 'NO_SHOW';

export interface BookingItem {
  service_id: string; name: string; start: string; end: string;
  staff_id: string; staff_name: string; price_minor: number;
  addons: { id: string; name: string }[];
  /** The rooms, chairs or equipment the item holds (none once cancelled). */
  resources?: { id: string; name: string }[];
}

export interface Booking {
  id: string; reference: string; status: Status; start: string; end: string;
  services: BookingItem[];
  staff: { service_id: string; staff_id: string; staff_name: string }[];
  customer: { id: string; name: string; email: string | null; phone: string | null };
  total: number; currency: string; source: string; notes: string | null;
  cancelled_at: string | null; cancel_reason: string | null; needs_review: boolean;
  /** When the customer confirmed they are coming (reminder link or "C"); null: not yet. */
  confirmed_at?: string | null;
  version: number; created_at: string; updated_at: string;
}

export interface Staff { id: string; display_name: string; active: boolean; user_id: string | null; color: string | null }

export interface Service {
  id: string; name: string; duration_minutes: number; price_minor: number; currency: string;
  addons: { id: string; name: string; duration_minutes: number; price_minor: number; currency: string }[];
}

export interface Slot { start: string; end: string; staff: { service_id: string; staff_id: string; staff_name: string }[] }

export const STATUS_WORDS: Record<Status, string> = {
  PENDING: 'Pending', CONFIRMED: 'Confirmed', IN_PROGRESS: 'In progress',
  COMPLETED: 'Completed', CANCELLED: 'Cancelled', NO_SHOW: 'No-show',
};

export const STATUS_KIND: Record<Status, string> = {
  PENDING: 'warn', CONFIRMED: 'ok', IN_PROGRESS: 'ok', COMPLETED: '', CANCELLED: 'alert', NO_SHOW: 'alert',
};

export const SOURCES = ['portal', 'widget', 'ai', 'admin', 'api', 'phone', 'sms', 'whatsapp', 'instagram', 'messenger'];

/** The status changes the server accepts from each status (POST …/status). */
export function nextStatuses(b: Booking, now = Date.now()): Status[] {
  switch (b.status) {
    case 'PENDING': return ['CONFIRMED'];
    case 'CONFIRMED': return new Date(b.start).getTime() <= now ? ['IN_PROGRESS', 'COMPLETED', 'NO_SHOW'] : [];
    case 'IN_PROGRESS': return ['COMPLETED'];
    default: return [];
  }
}

export const movable = (b: Booking) => b.status === 'PENDING' || b.status === 'CONFIRMED';
export const cancellable = (b: Booking) => b.status === 'PENDING' || b.status === 'CONFIRMED';

/** Every booking starting in [from, to), following the cursor (at most
 * `max` rows, so a huge range cannot hang the page). */
export async function loadRange(from: string, to: string, signal?: AbortSignal, max = 2000,
  extra: Record<string, string> = {}): Promise<Booking[]> {
  const out: Booking[] = [];
  let cursor: string | null | undefined;
  do {
    const p = await api.get<Page<Booking>>(`/v1/admin/bookings${qs({ from, to, limit: 100, cursor, ...extra })}`, { signal });
    out.push(...p.items);
    cursor = p.next_cursor;
  } while (cursor && out.length < max);
  return out;
}

/** Active staff, by name; [] when the caller may not read staff. */
export async function loadStaff(signal?: AbortSignal): Promise<Staff[]> {
  if (!can('staff', 'read')) return [];
  const p = await api.get<Page<Staff>>('/v1/admin/staff?active=true&limit=100', { signal });
  return p.items;
}

export interface Resource { id: string; name: string }

/** The business's resources, by name; [] when the caller may not read
 * the catalogue. */
export async function loadResources(signal?: AbortSignal): Promise<Resource[]> {
  if (!can('catalog', 'read')) return [];
  const p = await api.get<Page<Resource>>('/v1/admin/resources?limit=100', { signal });
  return p.items;
}

/** Bookable services with their add-ons (the public list: active only). */
export async function loadServices(signal?: AbortSignal): Promise<Service[]> {
  const p = await api.get<Page<Service>>('/v1/public/services', { signal });
  return p.items;
}

/** The staff member the signed-in user is, if any. */
export const myStaff = (staff: Staff[]) => staff.find((s) => s.user_id && s.user_id === me.value?.user.id) ?? null;

/** "Own schedule only": a person on the schedule who may not change
 * bookings (the server narrows what they read to their own). */
export const ownOnly = (staff: Staff[]) => !!myStaff(staff) && !can('bookings', 'write');

/** Columns of the schedule: the staff list, or for someone who sees only
 * their own day, just them; staff named only by bookings are added. */
export function columns(staff: Staff[], bookings: Booking[]): { id: string; name: string; color: string | null }[] {
  const mine = myStaff(staff);
  const base = ownOnly(staff) && mine ? [mine] : staff;
  const cols = base.map((s) => ({ id: s.id, name: s.display_name, color: s.color }));
  if (ownOnly(staff)) return cols;
  const seen = new Set(cols.map((c) => c.id));
  for (const b of bookings) {
    for (const it of b.services) {
      if (!seen.has(it.staff_id)) {
        seen.add(it.staff_id);
        cols.push({ id: it.staff_id, name: it.staff_name, color: null });
      }
    }
  }
  return cols;
}

/** Reloads (at most every 300 ms) on booking events and "resync". */
export function useLiveReload(reload: () => void, pattern = 'booking.*'): void {
  const fn = useRef(reload);
  fn.current = reload;
  useEffect(() => {
    let t = 0;
    const off = subscribe(pattern, () => {
      clearTimeout(t);
      t = window.setTimeout(() => fn.current(), 300);
    });
    return () => { clearTimeout(t); off(); };
  }, [pattern]);
}

/** A fresh Idempotency-Key for one booking attempt. */
export const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);
