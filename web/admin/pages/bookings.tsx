// bookings.tsx — the bookings list (date range, status, staff, service,
// source, a search over the customer and the reference, "Load more"
// through the API's cursor) and one booking (bookings/:id): its items,
// customer, history from the audit log, and the actions the caller's
// permissions and the booking's status allow.
import { useEffect, useState } from 'preact/hooks';
import { api, errorText, qs, type Page } from '../api';
import { can, shell } from '../state';
import { addDays, dateTime, instant, money, time, today, zoneLabel } from '../format';
import { Async, Badge, Empty, ErrorState, PageHeader, Select, TextField, useLoad } from '../ui';
import {
  type Booking, type Service, type Staff, SOURCES, STATUS_KIND, STATUS_WORDS, loadServices, loadStaff, useLiveReload,
} from './desk-data';
import { BookingActions } from './desk-form';

export default function Bookings({ id }: { id?: string }) {
  return id ? <BookingDetail id={id} /> : <BookingList />;
}

interface Filters { from: string; to: string; status: string; staff_id: string; service_id: string; source: string; q: string }

function BookingList() {
  const [f, setF] = useState<Filters>({ from: today(), to: '', status: '', staff_id: '', service_id: '', source: '', q: '' });
  const [applied, setApplied] = useState(f);
  const [rows, setRows] = useState<Booking[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);
  const meta = useLoad(async (signal) => {
    const [staff, services] = await Promise.all([loadStaff(signal), loadServices(signal).catch(() => [] as Service[])]);
    return { staff, services };
  }, []);

  const query = (cursor?: string | null) => `/v1/admin/bookings${qs({
    from: applied.from ? instant(applied.from, '00:00') : undefined,
    to: applied.to ? instant(addDays(applied.to, 1), '00:00') : undefined,
    status: applied.status, staff_id: applied.staff_id, service_id: applied.service_id,
    source: applied.source, q: applied.q.trim(), limit: 50, cursor,
  })}`;

  useEffect(() => {
    const ac = new AbortController();
    setBusy(true);
    api.get<Page<Booking>>(query(), { signal: ac.signal })
      .then((p) => { setRows(p.items); setNext(p.next_cursor ?? null); setError(null); })
      .catch((e) => { if (!ac.signal.aborted) setError(e); })
      .finally(() => { if (!ac.signal.aborted) setBusy(false); });
    return () => ac.abort();
  }, [applied, tick]);
  useLiveReload(() => setTick((t) => t + 1));

  const more = async () => {
    if (!next) return;
    setBusy(true);
    try {
      const p = await api.get<Page<Booking>>(query(next));
      setRows((r) => [...(r ?? []), ...p.items]);
      setNext(p.next_cursor ?? null);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const set = (k: keyof Filters) => (v: string) => setF({ ...f, [k]: v });
  const m = meta.data;

  return (
    <section class="desk bookings">
      <PageHeader title="Bookings" />
      <form class="card filters" role="search" aria-label="Filter bookings"
        onSubmit={(e) => { e.preventDefault(); setApplied(f); }}>
        <div class="row">
          <TextField label="Search" name="q" type="search" value={f.q} onValue={set('q')} maxLength={100}
            hint="Customer name, e-mail, phone or reference" />
          <TextField label="From" name="from" type="date" value={f.from} onValue={set('from')} />
          <TextField label="To" name="to" type="date" value={f.to} onValue={set('to')} />
        </div>
        <div class="row">
          <Select label="Status" name="status" value={f.status} onValue={set('status')}
            options={[{ value: '', label: 'Any status' }, ...Object.entries(STATUS_WORDS).map(([value, label]) => ({ value, label }))]} />
          {m && m.staff.length > 0 && (
            <Select label="Staff" name="staff_id" value={f.staff_id} onValue={set('staff_id')}
              options={[{ value: '', label: 'Anyone' }, ...m.staff.map((s) => ({ value: s.id, label: s.display_name }))]} />
          )}
          {m && m.services.length > 0 && (
            <Select label="Service" name="service_id" value={f.service_id} onValue={set('service_id')}
              options={[{ value: '', label: 'Any service' }, ...m.services.map((s) => ({ value: s.id, label: s.name }))]} />
          )}
          <Select label="Source" name="source" value={f.source} onValue={set('source')}
            options={[{ value: '', label: 'Any source' }, ...SOURCES.map((s) => ({ value: s, label: s }))]} />
        </div>
        <div class="row end">
          <button type="button" onClick={() => {
            const c = { from: today(), to: '', status: '', staff_id: '', service_id: '', source: '', q: '' };
            setF(c);
            setApplied(c);
          }}>Clear</button>
          <button type="submit" class="primary">Show bookings</button>
        </div>
      </form>
      <p class="hint">Times in {zoneLabel()}</p>
      {error !== null && <ErrorState error={error} retry={() => setTick((t) => t + 1)} />}
      {rows === null && error === null && <p class="state" role="status">Loading…</p>}
      {rows !== null && rows.length === 0 && <Empty>No bookings match.</Empty>}
      {rows !== null && rows.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Bookings</caption>
            <thead>
              <tr><th scope="col">When</th><th scope="col">Reference</th><th scope="col">Customer</th>
                <th scope="col">Services</th><th scope="col">Staff</th><th scope="col">Status</th><th scope="col">Source</th></tr>
            </thead>
            <tbody>
              {rows.map((b) => (
                <tr key={b.id}>
                  <td>{dateTime(b.start)}</td>
                  <td><a href={`${shell.base}bookings/${b.id}`}>{b.reference}</a></td>
                  <td>{b.customer.name}</td>
                  <td>{b.services.map((s) => s.name).join(', ')}</td>
                  <td>{[...new Set(b.services.map((s) => s.staff_name))].join(', ')}</td>
                  <td><Badge kind={STATUS_KIND[b.status]}>{STATUS_WORDS[b.status]}</Badge>
                    {b.needs_review && <Badge kind="warn">Needs review</Badge>}</td>
                  <td>{b.source}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && <p><button type="button" onClick={() => void more()} disabled={busy}>{busy ? 'Loading…' : 'Load more'}</button></p>}
      <p class="sr-only" role="status" aria-live="polite">{rows ? `${rows.length} bookings shown` : ''}</p>
    </section>
  );
}

interface AuditEntry { id: string; action: string; actor_type: string; actor_id: string | null; created_at: string; on_behalf_of?: string | null }

const ACTION_WORDS: Record<string, string> = {
  'booking.created': 'Booked', 'booking.rescheduled': 'Moved', 'booking.cancelled': 'Cancelled',
  'booking.status': 'Status changed', 'booking.status_changed': 'Status changed',
};

function BookingDetail({ id }: { id: string }) {
  const state = useLoad(async (signal) => {
    const [booking, staff] = await Promise.all([
      api.get<Booking>(`/v1/admin/bookings/${encodeURIComponent(id)}`, { signal }),
      loadStaff(signal).catch(() => [] as Staff[]),
    ]);
    return { booking, staff };
  }, [id]);
  const history = useLoad(async (signal) => (can('audit_log', 'read')
    ? (await api.get<Page<AuditEntry>>(`/v1/admin/audit-log${qs({ target_type: 'booking', target_id: id, limit: 50 })}`, { signal })).items
    : null), [id]);
  useLiveReload(() => { state.reload(); history.reload(); });
  const title = state.data ? `Booking ${state.data.booking.reference}` : 'Booking';
  return (
    <section class="desk booking">
      <PageHeader title={title}>
        <a class="button" href={`${shell.base}bookings`}>All bookings</a>
      </PageHeader>
      <Async state={state}>
        {({ booking: b, staff }) => (
          <>
            <div class="grid">
              <section class="card" aria-labelledby="bk-when">
                <h2 id="bk-when">When</h2>
                <p>{dateTime(b.start)}–{time(b.end)} <small class="hint">({zoneLabel()})</small></p>
                <p><Badge kind={STATUS_KIND[b.status]}>{STATUS_WORDS[b.status]}</Badge>
                  {b.needs_review && <Badge kind="warn">Needs review: the calendar event was changed or deleted</Badge>}</p>
                <p>{b.confirmed_at ? <Badge kind="ok">✓ Confirmed by the customer {dateTime(b.confirmed_at)}</Badge>
                  : (b.status === 'CONFIRMED' || b.status === 'PENDING') && <Badge>Not confirmed by the customer yet</Badge>}</p>
                {b.cancel_reason && <p>Cancelled: {b.cancel_reason}</p>}
                <p class="hint">Source: {b.source} · booked {dateTime(b.created_at)}</p>
              </section>
              <section class="card" aria-labelledby="bk-cust">
                <h2 id="bk-cust">Customer</h2>
                <p>{can('customers', 'read') ? <a href={`${shell.base}customers/${b.customer.id}`}>{b.customer.name}</a> : b.customer.name}</p>
                {b.customer.email && <p><a href={`mailto:${b.customer.email}`}>{b.customer.email}</a></p>}
                {b.customer.phone && <p><a href={`tel:${b.customer.phone}`}>{b.customer.phone}</a></p>}
                {b.notes && <p class="notes">Notes: {b.notes}</p>}
              </section>
            </div>
            <section class="card" aria-labelledby="bk-items">
              <h2 id="bk-items">Services</h2>
              <ul class="plain">
                {b.services.map((it, i) => (
                  <li key={i}>{time(it.start)}–{time(it.end)} <strong>{it.name}</strong> with {it.staff_name} · {money(it.price_minor, b.currency)}
                    {it.addons.length > 0 && <small class="hint"> + {it.addons.map((a) => a.name).join(', ')}</small>}</li>
                ))}
              </ul>
              <p>Total {money(b.total, b.currency)}</p>
            </section>
            {can('bookings', 'write') && (
              <section class="card" aria-labelledby="bk-act">
                <h2 id="bk-act">Actions</h2>
                <BookingActions booking={b} staff={staff} onChanged={(nb) => { state.set({ booking: nb, staff }); history.reload(); }} />
              </section>
            )}
            <section class="card" aria-labelledby="bk-hist">
              <h2 id="bk-hist">History</h2>
              {history.error ? <p class="hint">{errorText(history.error)}</p> : history.data === null && history.loading ? (
                <p class="state">Loading…</p>
              ) : history.data === null ? (
                <ul class="plain">
                  <li>{dateTime(b.created_at)} booked ({b.source})</li>
                  {b.cancelled_at && <li>{dateTime(b.cancelled_at)} cancelled</li>}
                  <li class="hint">Last change {dateTime(b.updated_at)}</li>
                </ul>
              ) : history.data.length === 0 ? <p class="hint">No history recorded.</p> : (
                <ol class="plain">
                  {history.data.map((h) => (
                    <li key={h.id}>{dateTime(h.created_at)} — {ACTION_WORDS[h.action] ?? h.action}
                      <small class="hint"> by {h.actor_type}{h.on_behalf_of ? ` (${h.on_behalf_of})` : ''}</small></li>
                  ))}
                </ol>
              )}
            </section>
          </>
        )}
      </Async>
    </section>
  );
}
