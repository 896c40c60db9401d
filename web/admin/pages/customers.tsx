// customers.tsx — the business's customers: a searchable list (cursor
// paging), and one customer's page: contact and consent, the business's
// notes (If-Match, with the "changed elsewhere" choice), booking history,
// conversations, and — for those allowed — the data export and erasure
// (typed confirmation). Routes: customers, customers/:id.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, qs, type Page } from '../api';
import { can, shell } from '../state';
import { ago, dateTime, money, shortDate, zoneLabel } from '../format';
import { Async, Badge, Dialog, Empty, ErrorState, FormError, Loading, PageHeader, say, TextArea, useLoad, useSubmit } from '../ui';
import { channelName, StatusBadge, type ConvSummary } from './inbox-common';

interface Customer {
  id: string;
  name: string;
  email?: string | null;
  phone?: string | null;
  sms_consent: boolean;
  notes?: string | null;
  bookings_count: number;
  version: number;
  created_at: string;
  updated_at: string;
}

interface Booking {
  id: string;
  reference: string;
  status: string;
  start: string;
  end: string;
  services: { name: string; staff_name?: string }[];
  total?: number;
  currency?: string;
  source?: string;
}

interface CustomerFull extends Customer { bookings: Booking[] }

/* ---- list ------------------------------------------------------------------ */

function CustomerList() {
  const [q, setQ] = useState('');
  const [term, setTerm] = useState('');
  const [pages, setPages] = useState<Customer[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [more, setMore] = useState(false);
  const state = useLoad(async (signal) => {
    const r = await api.get<Page<Customer>>(`/v1/admin/customers${qs({ q: term || undefined, limit: 25 })}`, { signal });
    setPages([]);
    setNext(r.next_cursor ?? null);
    return r.items;
  }, [term]);
  // Searching as one types, a moment after the last key.
  useEffect(() => {
    const t = window.setTimeout(() => setTerm(q.trim()), 250);
    return () => clearTimeout(t);
  }, [q]);

  const loadMore = async () => {
    if (!next) return;
    setMore(true);
    try {
      const r = await api.get<Page<Customer>>(`/v1/admin/customers${qs({ q: term || undefined, limit: 25, cursor: next })}`);
      setPages((p) => [...p, ...r.items]);
      setNext(r.next_cursor ?? null);
    } catch (e) {
      say(e instanceof ApiError ? e.message : 'Could not load more.', 'error');
    } finally {
      setMore(false);
    }
  };

  return (
    <>
      <PageHeader title="Customers" />
      <form role="search" class="row" onSubmit={(e) => { e.preventDefault(); setTerm(q.trim()); }}>
        <div class="field">
          <label for="cust-q">Search</label>
          <input id="cust-q" type="search" name="q" maxLength={100} value={q} placeholder="Name, e-mail or phone"
            onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        </div>
      </form>
      <Async state={state}>{(items) => {
        const all = [...items, ...pages];
        if (all.length === 0) {
          return <Empty>{term ? `No customer matches “${term}”.` : 'No customers yet: they appear with their first booking.'}</Empty>;
        }
        return (
          <>
            <div class="table-wrap">
              <table>
                <caption class="sr-only">Customers</caption>
                <thead><tr><th scope="col">Name</th><th scope="col">Contact</th><th scope="col">Bookings</th><th scope="col">Since</th></tr></thead>
                <tbody>
                  {all.map((c) => (
                    <tr key={c.id}>
                      <td><a href={`${shell.base}customers/${c.id}`}>{c.name}</a></td>
                      <td>{[c.email, c.phone].filter(Boolean).join(' · ') || '—'}</td>
                      <td>{c.bookings_count}</td>
                      <td>{shortDate(c.created_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {next && <button type="button" onClick={() => void loadMore()} disabled={more}>{more ? 'Loading…' : 'Show more'}</button>}
          </>
        );
      }}</Async>
    </>
  );
}

/* ---- one customer ------------------------------------------------------------ */

function Notes({ c, onSaved }: { c: Customer; onSaved: (c: Customer) => void }) {
  const [text, setText] = useState(c.notes ?? '');
  const [version, setVersion] = useState(c.version);
  const s = useSubmit();
  const write = can('customers', 'write');
  useEffect(() => { setText(c.notes ?? ''); setVersion(c.version); }, [c.id]);

  const save = (v: number) => s.run(async () => {
    const r = await api.patch<Customer>(`/v1/admin/customers/${c.id}`, { notes: text }, { version: v });
    setVersion(r.version);
    onSaved(r);
    say('Notes saved.');
    return r;
  });
  const reload = async () => {
    const r = await api.get<CustomerFull>(`/v1/admin/customers/${c.id}`);
    setText(r.notes ?? '');
    setVersion(r.version);
    s.setError(null);
    onSaved(r);
  };
  const overwrite = async () => {
    const r = await api.get<Customer>(`/v1/admin/customers/${c.id}`);
    await save(r.version);
  };

  if (!write) {
    return (
      <section class="card" aria-labelledby="notes-h">
        <h2 id="notes-h">Notes</h2>
        <p class="notes-text">{c.notes || <span class="hint">No notes.</span>}</p>
      </section>
    );
  }
  return (
    <form class="card" aria-labelledby="notes-h" onSubmit={(e) => { e.preventDefault(); void save(version); }}>
      <h2 id="notes-h">Notes</h2>
      <TextArea label="Notes for the team" name="notes" value={text} onValue={setText} rows={4} maxLength={4000}
        error={s.error} hint="Preferences, allergies, who they like to see. Only your team sees these; up to 4,000 characters." />
      <FormError error={s.error} onReload={() => void reload()} onOverwrite={() => void overwrite()} />
      <button type="submit" class="primary" disabled={s.busy}>{s.busy ? 'Saving…' : 'Save notes'}</button>
    </form>
  );
}

function Conversations({ id }: { id: string }) {
  const state = useLoad((signal) => api.get<Page<ConvSummary>>(`/v1/admin/conversations${qs({ customer_id: id, limit: 20 })}`, { signal }), [id]);
  if (!can('conversations', 'read')) return null;
  return (
    <section class="card" aria-labelledby="convs-h">
      <h2 id="convs-h">Conversations</h2>
      <Async state={state}>{(p) => p.items.length === 0 ? <p class="hint">No conversations linked to this customer.</p> : (
        <ul class="plain">
          {p.items.map((c) => (
            <li key={c.id}>
              <a href={`${shell.base}inbox/${c.id}`}>{channelName(c.channel)}, {ago(c.last_activity_at)}</a> <StatusBadge status={c.status} />
              {c.last_message && <div class="hint">{c.last_message}</div>}
            </li>
          ))}
        </ul>
      )}</Async>
    </section>
  );
}

const BOOKING_STATUS: Record<string, string> = {
  PENDING: 'Pending', CONFIRMED: 'Confirmed', IN_PROGRESS: 'In progress', COMPLETED: 'Completed',
  CANCELLED: 'Cancelled', NO_SHOW: 'No-show',
};

function History({ bookings }: { bookings: Booking[] }) {
  return (
    <section class="card" aria-labelledby="hist-h">
      <h2 id="hist-h">Bookings</h2>
      {bookings.length === 0 ? <p class="hint">No bookings.</p> : (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Bookings, newest first (times in {zoneLabel()})</caption>
            <thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Status</th><th scope="col">Total</th></tr></thead>
            <tbody>
              {bookings.map((b) => (
                <tr key={b.id}>
                  <td>{can('bookings', 'read') ? <a href={`${shell.base}bookings/${b.id}`}>{dateTime(b.start)}</a> : dateTime(b.start)}</td>
                  <td>{b.services.map((s) => s.staff_name ? `${s.name} with ${s.staff_name}` : s.name).join(', ')} <span class="hint">{b.reference}</span></td>
                  <td>{BOOKING_STATUS[b.status] ?? b.status}</td>
                  <td>{b.total !== undefined ? money(b.total, b.currency) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="hint">Times in {zoneLabel()}.</p>
    </section>
  );
}

function Privacy({ c, onErased }: { c: Customer; onErased: () => void }) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const s = useSubmit();
  const ex = useSubmit();
  const word = 'ERASE';

  const exportData = () => ex.run(async () => {
    const data = await api.get<unknown>(`/v1/admin/customers/${c.id}/export`);
    const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `customer-${c.id}.json`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    say('Export downloaded.');
    return true;
  });
  const erase = async (e: Event) => {
    e.preventDefault();
    if (typed.trim() !== word) return;
    const r = await s.run(() => api.post<{ already_erased: boolean }>(`/v1/admin/customers/${c.id}/erase`, {}));
    if (r) {
      setOpen(false);
      say(r.already_erased ? 'Nothing left to erase.' : 'The customer\'s data was erased.');
      onErased();
    }
  };
  return (
    <section class="card" aria-labelledby="priv-h">
      <h2 id="priv-h">Their data</h2>
      <p class="hint">A copy of everything held on this person, or its erasure (bookings stay, anonymised, for your records).</p>
      <div class="row">
        <button type="button" onClick={() => void exportData()} disabled={ex.busy}>{ex.busy ? 'Preparing…' : 'Download their data'}</button>
        <button type="button" class="danger" onClick={() => { setTyped(''); s.setError(null); setOpen(true); }}>Erase their data…</button>
      </div>
      <FormError error={ex.error} />
      <Dialog title="Erase this customer's data?" open={open} onClose={() => setOpen(false)}>
        <form onSubmit={erase}>
          <p>{c.name}'s name, e-mail, phone, notes and chat messages are deleted for good. Their bookings stay, anonymised. This cannot be undone.</p>
          <div class="field">
            <label for="erase-confirm">Type {word} to confirm</label>
            <input id="erase-confirm" autoComplete="off" value={typed} required pattern={word}
              onInput={(e) => setTyped((e.target as HTMLInputElement).value)} />
          </div>
          <FormError error={s.error} />
          <div class="row">
            <button type="submit" class="danger" disabled={s.busy || typed.trim() !== word}>{s.busy ? 'Erasing…' : 'Erase for good'}</button>
            <button type="button" onClick={() => setOpen(false)}>Cancel</button>
          </div>
        </form>
      </Dialog>
    </section>
  );
}

function CustomerPage({ id }: { id: string }) {
  const state = useLoad((signal) => api.get<CustomerFull>(`/v1/admin/customers/${id}`, { signal }), [id]);
  if (state.error && !state.data) {
    return (
      <>
        <PageHeader title="Customer" />
        {(state.error as ApiError).status === 404
          ? <Empty>No such customer. <a href={`${shell.base}customers`}>All customers</a></Empty>
          : <ErrorState error={state.error} retry={state.reload} />}
      </>
    );
  }
  if (!state.data) return <><PageHeader title="Customer" /><Loading /></>;
  const c = state.data;
  return (
    <>
      <PageHeader title={c.name}>
        <a class="button" href={`${shell.base}customers`}>All customers</a>
      </PageHeader>
      <div class="grid cust-grid">
        <section class="card" aria-labelledby="contact-h">
          <h2 id="contact-h">Contact</h2>
          <dl class="facts">
            <dt>E-mail</dt><dd>{c.email ? <a href={`mailto:${c.email}`}>{c.email}</a> : '—'}</dd>
            <dt>Phone</dt><dd>{c.phone ? <a href={`tel:${c.phone}`}>{c.phone}</a> : '—'}</dd>
            <dt>SMS reminders</dt>
            <dd>{c.sms_consent ? <Badge kind="ok">Agreed</Badge> : <Badge>Not agreed</Badge>}</dd>
            <dt>Customer since</dt><dd>{shortDate(c.created_at)}</dd>
          </dl>
          <p class="hint">Contact details and consent are the customer's own: they change them when they book.</p>
        </section>
        <Notes c={c} onSaved={(n) => state.set({ ...c, ...n, bookings: c.bookings })} />
      </div>
      <History bookings={c.bookings} />
      <Conversations id={c.id} />
      {can('customers', 'write') && <Privacy c={c} onErased={state.reload} />}
    </>
  );
}

export default function CustomersPage({ id }: { id?: string }) {
  return id ? <CustomerPage key={id} id={id} /> : <CustomerList />;
}
