// desk-form.tsx — the desk's booking dialogs: a new booking (service,
// add-ons, staff or anyone, a customer found or created, and a time the
// engine offered — never a typed one), moving a booking (to an offered
// time, or where a block was dropped, the server deciding), cancelling
// with a reason, and the status buttons the server's transitions allow.
// Conflicts come back as the API's own words, shown in the dialog.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, qs, type Page } from '../api';
import { can } from '../state';
import { dateTime, instant, time, today, zoneLabel } from '../format';
import { Dialog, FormError, Select, TextArea, TextField, useSubmit, say } from '../ui';
import {
  type Booking, type Service, type Slot, type Staff, STATUS_WORDS, cancellable, movable, newKey, nextStatuses,
} from './desk-data';

interface Customer { id: string; name: string; email: string | null; phone: string | null }

/** Offered times for services on a day: the engine's answer, as radio buttons. */
function SlotPicker({ query, value, onPick }: {
  query: { service_ids: string[]; addon_ids: string[]; staff_id: string; date: string } | null;
  value: string; onPick: (s: Slot | null) => void;
}) {
  const [slots, setSlots] = useState<Slot[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const key = JSON.stringify(query);
  useEffect(() => {
    setSlots(null);
    setError(null);
    onPick(null);
    if (!query || query.service_ids.length === 0 || !query.date) return undefined;
    const ac = new AbortController();
    const p = new URLSearchParams();
    for (const s of query.service_ids) p.append('service_id', s);
    p.set('date', query.date);
    if (query.staff_id) p.set('staff_id', query.staff_id);
    if (query.addon_ids.length) p.set('addon_ids', query.addon_ids.join(','));
    api.get<{ slots: Slot[] }>(`/v1/public/availability?${p}`, { signal: ac.signal })
      .then((r) => { if (!ac.signal.aborted) setSlots(r?.slots ?? []); },
        (e) => { if (!ac.signal.aborted) setError(e); });
    return () => ac.abort();
  }, [key]);
  if (!query || !query.date) return null;
  if (error) return <p class="form-error" role="alert">{(error as ApiError).message ?? 'Could not load the times.'}</p>;
  if (!slots) return <p class="state" role="status">Finding free times…</p>;
  if (slots.length === 0) return <p class="state empty" role="status">No free time that day. Try another day or person.</p>;
  return (
    <fieldset class="slots">
      <legend>Free times ({zoneLabel()})</legend>
      <div class="slot-list">
        {slots.map((s) => {
          const who = [...new Set(s.staff.map((x) => x.staff_name))].join(', ');
          const id = `${s.start}|${s.staff.map((x) => x.staff_id).join(',')}`;
          return (
            <label key={id} class="slot">
              <input type="radio" name="slot" value={id} checked={value === id} onChange={() => onPick(s)} />
              <span>{time(s.start)}</span> <small>{who}</small>
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}

const slotId = (s: Slot | null) => (s ? `${s.start}|${s.staff.map((x) => x.staff_id).join(',')}` : '');

/** Search-or-create: pick a customer from the search, or type a new one. */
function CustomerPicker({ error, onChange }: {
  error: ApiError | null;
  onChange: (c: { customer_id?: string; customer?: { name: string; email?: string; phone?: string } } | null) => void;
}) {
  const searchable = can('customers', 'read');
  const [mode, setMode] = useState<'find' | 'new'>(searchable ? 'find' : 'new');
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Customer[] | null>(null);
  const [picked, setPicked] = useState('');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  useEffect(() => {
    if (mode !== 'find' || q.trim().length < 2) { setFound(null); return undefined; }
    const ac = new AbortController();
    const t = window.setTimeout(() => {
      api.get<Page<Customer>>(`/v1/admin/customers${qs({ q: q.trim(), limit: 8 })}`, { signal: ac.signal })
        .then((p) => setFound(p.items), () => setFound([]));
    }, 250);
    return () => { clearTimeout(t); ac.abort(); };
  }, [q, mode]);
  useEffect(() => {
    if (mode === 'find') onChange(picked ? { customer_id: picked } : null);
    else onChange(name.trim() ? { customer: { name: name.trim(), email: email.trim() || undefined, phone: phone.trim() || undefined } } : null);
  }, [mode, picked, name, email, phone]);
  return (
    <fieldset class="customer-pick">
      <legend>Customer</legend>
      {searchable && (
        <div class="row seg" role="radiogroup" aria-label="Customer">
          <label class="check"><input type="radio" name="cmode" checked={mode === 'find'} onChange={() => setMode('find')} /> Existing customer</label>
          <label class="check"><input type="radio" name="cmode" checked={mode === 'new'} onChange={() => setMode('new')} /> New customer</label>
        </div>
      )}
      {mode === 'find' ? (
        <>
          <TextField label="Find by name, e-mail or phone" name="customer_q" value={q} onValue={setQ} type="search"
            hint="At least 2 characters." error={error} />
          {found && found.length === 0 && <p class="hint" role="status">No customer matches. Choose “New customer”.</p>}
          {found && found.length > 0 && (
            <ul class="plain pick-list">
              {found.map((c) => (
                <li key={c.id}>
                  <label class="check">
                    <input type="radio" name="customer_id" checked={picked === c.id} onChange={() => setPicked(c.id)} />
                    <span>{c.name} <small class="hint">{[c.email, c.phone].filter(Boolean).join(' · ')}</small></span>
                  </label>
                </li>
              ))}
            </ul>
          )}
          {error?.field('customer_id') && <small class="field-error">{error.field('customer_id')}</small>}
        </>
      ) : (
        <>
          <TextField label="Name" name="customer.name" value={name} onValue={setName} required maxLength={200} error={error} autoComplete="off" />
          <div class="row">
            <TextField label="E-mail" name="customer.email" type="email" value={email} onValue={setEmail} error={error} autoComplete="off" />
            <TextField label="Phone" name="customer.phone" type="tel" value={phone} onValue={setPhone} error={error}
              hint="International, e.g. +14155550123" autoComplete="off" />
          </div>
          <p class="hint">An e-mail or a phone, or both.</p>
        </>
      )}
    </fieldset>
  );
}

/** New booking: the engine offers the times; the desk picks one. */
export function NewBookingDialog({ open, onClose, onDone, services, staff, day, staffId = '' }: {
  open: boolean; onClose: () => void; onDone: (b: Booking) => void;
  services: Service[]; staff: Staff[]; day?: string; staffId?: string;
}) {
  const [serviceId, setServiceId] = useState('');
  const [addons, setAddons] = useState<string[]>([]);
  const [who, setWho] = useState(staffId);
  const [date, setDate] = useState(day ?? today());
  const [slot, setSlot] = useState<Slot | null>(null);
  const [cust, setCust] = useState<Parameters<Parameters<typeof CustomerPicker>[0]['onChange']>[0]>(null);
  const [notes, setNotes] = useState('');
  const [key, setKey] = useState(newKey());
  const s = useSubmit();
  useEffect(() => {
    if (!open) return;
    setServiceId(services[0]?.id ?? '');
    setAddons([]);
    setWho(staffId);
    setDate(day ?? today());
    setNotes('');
    setKey(newKey());
    s.setError(null);
  }, [open]);
  const svc = services.find((x) => x.id === serviceId);
  const submit = (e: Event) => {
    e.preventDefault();
    if (!slot) { s.setError(new ApiError(400, 'invalid', 'Choose one of the free times.')); return; }
    if (!cust) { s.setError(new ApiError(400, 'invalid', 'Choose a customer or enter a new one.')); return; }
    void s.run(async () => {
      const b = await api.post<Booking>('/v1/admin/bookings', {
        services: [{ service_id: serviceId, addon_ids: addons }], start: slot.start,
        staff_id: who || null, notes: notes || undefined, source: 'admin', ...cust,
      }, { headers: { 'idempotency-key': key } });
      say(`Booked ${b.reference} for ${dateTime(b.start)}.`);
      onDone(b);
      onClose();
    });
  };
  return (
    <Dialog title="New booking" open={open} onClose={onClose}>
      <form onSubmit={submit} noValidate class="booking-form">
        {services.length === 0 ? <p class="state empty">There are no services to book yet.</p> : (
          <>
            <Select label="Service" name="services[0].service_id" value={serviceId} error={s.error}
              onValue={(v) => { setServiceId(v); setAddons([]); }}
              options={services.map((x) => ({ value: x.id, label: `${x.name} (${x.duration_minutes} min)` }))} />
            {svc && svc.addons.length > 0 && (
              <fieldset>
                <legend>Add-ons</legend>
                {svc.addons.map((a) => (
                  <label key={a.id} class="check">
                    <input type="checkbox" checked={addons.includes(a.id)}
                      onChange={(e) => setAddons((e.target as HTMLInputElement).checked ? [...addons, a.id] : addons.filter((x) => x !== a.id))} />
                    <span>{a.name} <small class="hint">+{a.duration_minutes} min</small></span>
                  </label>
                ))}
              </fieldset>
            )}
            <div class="row">
              <Select label="Staff" name="staff_id" value={who} onValue={setWho} error={s.error}
                options={[{ value: '', label: 'Anyone' }, ...staff.map((x) => ({ value: x.id, label: x.display_name }))]} />
              <TextField label="Day" name="date" type="date" value={date} onValue={setDate} required />
            </div>
            <SlotPicker value={slotId(slot)} onPick={setSlot}
              query={serviceId ? { service_ids: [serviceId], addon_ids: addons, staff_id: who, date } : null} />
            {s.error?.field('start') && <small class="field-error">{s.error.field('start')}</small>}
            <CustomerPicker error={s.error} onChange={setCust} />
            <TextArea label="Notes" name="notes" value={notes} onValue={setNotes} maxLength={2000} rows={2} />
          </>
        )}
        <FormError error={s.error} />
        <div class="row end">
          <button type="button" onClick={onClose}>Close</button>
          <button type="submit" class="primary" disabled={s.busy || !slot}>{s.busy ? 'Booking…' : 'Book'}</button>
        </div>
      </form>
    </Dialog>
  );
}

/** Move: pick an offered time (keyboard-friendly), or confirm a drop. */
export function MoveDialog({ booking, open, onClose, onDone, staff, drop }: {
  booking: Booking; open: boolean; onClose: () => void; onDone: (b: Booking) => void;
  staff: Staff[]; drop?: { start: string; staff_id: string } | null;
}) {
  const [date, setDate] = useState(booking.start.slice(0, 10));
  const [who, setWho] = useState('');
  const [slot, setSlot] = useState<Slot | null>(null);
  const s = useSubmit();
  useEffect(() => {
    if (!open) return;
    setDate(drop ? drop.start.slice(0, 10) : booking.start.slice(0, 10));
    setWho(drop?.staff_id ?? (booking.services.length === 1 ? booking.services[0].staff_id : ''));
    s.setError(null);
  }, [open, drop]);
  const move = (start: string, staffId: string | null) => s.run(async () => {
    const b = await api.post<Booking>(`/v1/admin/bookings/${booking.id}/move`, { start, staff_id: staffId },
      { version: booking.version });
    say(`Moved ${b.reference} to ${dateTime(b.start)}.`);
    onDone(b);
    onClose();
  });
  const dropName = drop ? staff.find((x) => x.id === drop.staff_id)?.display_name : '';
  return (
    <Dialog title={`Move ${booking.reference}`} open={open} onClose={onClose}>
      <p>Now: {dateTime(booking.start)} with {[...new Set(booking.services.map((x) => x.staff_name))].join(', ')}.</p>
      {drop ? (
        <form onSubmit={(e) => { e.preventDefault(); void move(drop.start, drop.staff_id || null); }}>
          <p>Move to <strong>{dateTime(drop.start)}</strong>{dropName ? <> with <strong>{dropName}</strong></> : null}? <span class="hint">(Times in {zoneLabel()})</span></p>
          <FormError error={s.error} />
          <div class="row end">
            <button type="button" onClick={onClose}>Keep it</button>
            <button type="submit" class="primary" disabled={s.busy}>{s.busy ? 'Moving…' : 'Move'}</button>
          </div>
        </form>
      ) : (
        <form onSubmit={(e) => { e.preventDefault(); if (slot) void move(slot.start, who || null); }}>
          <div class="row">
            <TextField label="New day" name="date" type="date" value={date} onValue={setDate} required />
            <Select label="Staff" name="staff_id" value={who} onValue={setWho} error={s.error}
              options={[{ value: '', label: 'Same or anyone free' }, ...staff.map((x) => ({ value: x.id, label: x.display_name }))]} />
          </div>
          <SlotPicker value={slotId(slot)} onPick={setSlot} query={{
            service_ids: booking.services.map((x) => x.service_id),
            addon_ids: booking.services.flatMap((x) => x.addons.map((a) => a.id)), staff_id: who, date,
          }} />
          <FormError error={s.error} />
          <div class="row end">
            <button type="button" onClick={onClose}>Close</button>
            <button type="submit" class="primary" disabled={s.busy || !slot}>{s.busy ? 'Moving…' : 'Move here'}</button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

export function CancelDialog({ booking, open, onClose, onDone }: {
  booking: Booking; open: boolean; onClose: () => void; onDone: (b: Booking) => void;
}) {
  const [reason, setReason] = useState('');
  const s = useSubmit();
  useEffect(() => { if (open) { setReason(''); s.setError(null); } }, [open]);
  return (
    <Dialog title={`Cancel ${booking.reference}`} open={open} onClose={onClose}>
      <form noValidate onSubmit={(e) => {
        e.preventDefault();
        if (!reason.trim()) { s.setError(new ApiError(400, 'invalid', 'Say why it is cancelled.', [{ field: 'reason', issue: 'is required' }])); return; }
        void s.run(async () => {
          const b = await api.post<Booking>(`/v1/admin/bookings/${booking.id}/cancel`, { reason: reason.trim() }, { version: booking.version });
          say(`Cancelled ${b.reference}. The time is free again.`);
          onDone(b);
          onClose();
        });
      }}>
        <p>{booking.customer.name}, {dateTime(booking.start)}. The customer's time is freed at once.</p>
        <TextArea label="Reason" name="reason" value={reason} onValue={setReason} maxLength={500} rows={2} error={s.error}
          hint="Kept on the booking's history." />
        <FormError error={s.error} />
        <div class="row end">
          <button type="button" onClick={onClose}>Keep it</button>
          <button type="submit" class="danger" disabled={s.busy}>{s.busy ? 'Cancelling…' : 'Cancel booking'}</button>
        </div>
      </form>
    </Dialog>
  );
}

/** Move, cancel and status buttons, as the caller's permissions and the
 * booking's status allow; nothing at all for a read-only caller. */
export function BookingActions({ booking, staff, onChanged }: {
  booking: Booking; staff: Staff[]; onChanged: (b: Booking) => void;
}) {
  const [dlg, setDlg] = useState<'' | 'move' | 'cancel'>('');
  const s = useSubmit();
  if (!can('bookings', 'write')) return null;
  const next = nextStatuses(booking);
  const setStatus = (to: string) => s.run(async () => {
    const b = await api.post<Booking>(`/v1/admin/bookings/${booking.id}/status`, { status: to }, { version: booking.version });
    say(`${b.reference} is now ${STATUS_WORDS[b.status].toLowerCase()}.`);
    onChanged(b);
  });
  return (
    <div class="booking-actions">
      <div class="row">
        {movable(booking) && <button type="button" onClick={() => setDlg('move')}>Move…</button>}
        {cancellable(booking) && <button type="button" class="danger" onClick={() => setDlg('cancel')}>Cancel…</button>}
        {next.map((st) => (
          <button key={st} type="button" disabled={s.busy} onClick={() => void setStatus(st)}>Mark {STATUS_WORDS[st].toLowerCase()}</button>
        ))}
      </div>
      {booking.status === 'CONFIRMED' && next.length === 0 && (
        <p class="hint">In progress, completed and no-show can be set once it has started.</p>
      )}
      <FormError error={s.error} />
      <MoveDialog booking={booking} open={dlg === 'move'} onClose={() => setDlg('')} onDone={onChanged} staff={staff} />
      <CancelDialog booking={booking} open={dlg === 'cancel'} onClose={() => setDlg('')} onDone={onChanged} />
    </div>
  );
}

/** A dropped block's new start: the day and wall-clock time in the zone. */
export const dropStart = (day: string, minutes: number) =>
  instant(day, `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`);
