// catalogue.tsx — what the business sells and who does it: services with
// their add-ons, staff (profile, weekly schedule, time off, the services
// each performs) and resources (rooms, chairs, equipment), one tab each.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, type Page } from '../api';
import { can, shell, tz } from '../state';
import { dateTime, instant, money } from '../format';
import {
  Async, Checkbox, confirmAction, Dialog, Empty, FormError, PageHeader, say, Select, TextArea, TextField, useLoad, useSubmit,
} from '../ui';
import { Tabs } from './business';
import { sortRanges, WeekEditor, type Range } from './business-week';

const TABS = [
  { id: 'services', label: 'Services' },
  { id: 'staff', label: 'Staff' },
  { id: 'resources', label: 'Resources' },
];

export default function Catalogue({ tab = 'services' }: { tab?: string }) {
  const current = TABS.some((t) => t.id === tab) ? tab : 'services';
  return (
    <section>
      <PageHeader title="Catalogue" />
      <Tabs base={`${shell.base}catalogue`} tabs={TABS} current={current} />
      {current === 'services' && <Services />}
      {current === 'staff' && <Staff />}
      {current === 'resources' && <Resources />}
    </section>
  );
}

const nul = (s: string | null | undefined) => (s === undefined || s === null || s.trim() === '' ? null : s.trim());
const errMsg = (e: unknown) => say((e as Error).message || 'That did not work.', 'error');

/** Digits after the point in a currency (2 for USD, 0 for JPY). */
function digits(currency: string): number {
  try { return new Intl.NumberFormat(undefined, { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2; } catch { return 2; }
}
const toMinor = (s: string, cur: string) => Math.round(Number(s || '0') * 10 ** digits(cur));
const fromMinor = (m: number, cur: string) => (m / 10 ** digits(cur)).toFixed(digits(cur));

/** Saves a versioned edit; on a lost If-Match the form offers reload / overwrite. */
function stale<T extends { version: number }>(path: string, setVersion: (v: number) => void, load: (t: T) => void,
  send: (v: number) => Promise<void>, sub: ReturnType<typeof useSubmit>) {
  return {
    onReload: async () => { const t = await api.get<T>(path); load(t); setVersion(t.version); sub.setError(null); },
    onOverwrite: async () => { const t = await api.get<T>(path); setVersion(t.version); await send(t.version); },
  };
}

/** A table of named rows, each editable in a dialog and deletable, with an
 *  "Add" button; the buttons show only with the write permission. */
function EditableList<T extends { id: string; name: string }>({ path, rw, noun, plural, add, empty, columns, confirmDelete, form }: {
  path: string; rw: boolean; noun: string; plural: string; add: string; empty: string;
  columns: [string, (t: T) => ComponentChildren][];
  confirmDelete: (t: T) => string;
  form: (item: T | null, done: () => void) => ComponentChildren;
}) {
  const state = useLoad((signal) => api.get<Page<T>>(`${path}?limit=100`, { signal }), [path]);
  const [open, setOpen] = useState<T | 'new' | null>(null);
  const close = () => { setOpen(null); state.reload(); };
  const Noun = noun[0].toUpperCase() + noun.slice(1);
  const remove = async (t: T) => {
    if (!confirmAction(confirmDelete(t))) return;
    try { await api.del(`${path}/${t.id}`); say(`${Noun} deleted.`); state.reload(); } catch (e) { errMsg(e); }
  };
  return (
    <>
      {rw && <p><button type="button" class="primary" onClick={() => setOpen('new')}>{add}</button></p>}
      <Async state={state}>
        {(p) => p.items.length === 0 ? <Empty>{empty}</Empty> : (
          <div class="table-wrap">
            <table>
              <caption class="sr">{plural}</caption>
              <thead><tr>{columns.map(([h]) => <th key={h}>{h}</th>)}{rw && <th><span class="sr">Actions</span></th>}</tr></thead>
              <tbody>
                {p.items.map((t) => (
                  <tr key={t.id}>
                    {columns.map(([h, cell]) => <td key={h}>{cell(t)}</td>)}
                    {rw && (
                      <td class="actions">
                        <button type="button" aria-label={`Edit ${t.name}`} onClick={() => setOpen(t)}>Edit</button>
                        <button type="button" class="danger" aria-label={`Delete ${t.name}`} onClick={() => void remove(t)}>Delete</button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Async>
      <Dialog title={open === 'new' ? `New ${noun}` : `Edit ${noun}`} open={open !== null} onClose={close}>
        {open !== null && form(open === 'new' ? null : open, close)}
      </Dialog>
    </>
  );
}

/* ---- services ------------------------------------------------------------ */

interface Service {
  id: string; name: string; description: string | null; duration_minutes: number; price_minor: number; currency: string;
  buffer_before_minutes: number; buffer_after_minutes: number; active: boolean; sort_order: number; version: number;
}
interface Addon { id: string; name: string; price_minor: number; currency: string; duration_minutes: number; active: boolean; version: number }

function Services() {
  return (
    <EditableList<Service> path="/v1/admin/services" rw={can('catalog', 'write')} noun="service" plural="Services" add="Add a service"
      empty="No services yet. Add what customers can book."
      columns={[
        ['Service', (s) => s.name],
        ['Duration', (s) => `${s.duration_minutes} min`],
        ['Price', (s) => money(s.price_minor, s.currency)],
        ['Buffers', (s) => (s.buffer_before_minutes || s.buffer_after_minutes ? `${s.buffer_before_minutes} / ${s.buffer_after_minutes} min` : '—')],
        ['Status', (s) => (s.active ? <span class="badge ok">Bookable</span> : <span class="badge">Archived</span>)],
      ]}
      confirmDelete={(s) => `Delete the service "${s.name}"? Staff stop performing it.`}
      form={(s, done) => <ServiceForm service={s} done={done} />} />
  );
}

function ServiceForm({ service, done }: { service: Service | null; done: () => void }) {
  const fill = (s: Service | null) => ({
    name: s?.name ?? '', description: s?.description ?? '', duration: String(s?.duration_minutes ?? 30),
    price: s ? fromMinor(s.price_minor, s.currency) : '', currency: s?.currency ?? 'USD',
    before: String(s?.buffer_before_minutes ?? 0), after: String(s?.buffer_after_minutes ?? 0), active: s?.active ?? true,
  });
  const [f, setF] = useState(fill(service));
  const [version, setVersion] = useState(service?.version ?? 0);
  const sub = useSubmit();
  const body = () => ({
    name: f.name.trim(), description: nul(f.description), duration_minutes: Number(f.duration),
    price_minor: toMinor(f.price, f.currency), currency: f.currency.toUpperCase(),
    buffer_before_minutes: Number(f.before || 0), buffer_after_minutes: Number(f.after || 0), active: f.active,
  });
  const send = async (v: number) => {
    const ok = await sub.run(() => (service ? api.patch(`/v1/admin/services/${service.id}`, body(), { version: v })
      : api.post('/v1/admin/services', body())));
    if (ok) { say('Service saved.'); done(); }
  };
  const e = sub.error;
  return (
    <>
      <form onSubmit={(ev) => { ev.preventDefault(); void send(version); }}>
        <TextField label="Name" name="name" value={f.name} required maxLength={120} onValue={(v) => setF({ ...f, name: v })} error={e} />
        <TextArea label="Description" name="description" value={f.description} maxLength={2000} onValue={(v) => setF({ ...f, description: v })} error={e} />
        <div class="row">
          <TextField label="Duration (minutes)" name="duration_minutes" type="number" min={5} max={720} required value={f.duration}
            onValue={(v) => setF({ ...f, duration: v })} error={e} />
          <TextField label={`Price (${f.currency})`} name="price_minor" type="number" min={0} step="any" inputMode="decimal" required
            value={f.price} onValue={(v) => setF({ ...f, price: v })} error={e} />
          <TextField label="Currency" name="currency" value={f.currency} required maxLength={3} pattern="[A-Za-z]{3}"
            hint="ISO code, e.g. USD" onValue={(v) => setF({ ...f, currency: v })} error={e} />
        </div>
        <div class="row">
          <TextField label="Buffer before (minutes)" name="buffer_before_minutes" type="number" min={0} max={240} value={f.before}
            onValue={(v) => setF({ ...f, before: v })} error={e} />
          <TextField label="Buffer after (minutes)" name="buffer_after_minutes" type="number" min={0} max={240} value={f.after}
            onValue={(v) => setF({ ...f, after: v })} error={e} />
        </div>
        <Checkbox label="Bookable (unticked: archived, hidden from customers)" checked={f.active} onValue={(v) => setF({ ...f, active: v })} />
        <FormError error={e} {...(service ? stale<Service>(`/v1/admin/services/${service.id}`, setVersion, (s) => setF(fill(s)), send, sub) : {})} />
        <button type="submit" class="primary" disabled={sub.busy}>Save service</button>
      </form>
      {service && <Addons service={service} />}
    </>
  );
}

function Addons({ service }: { service: Service }) {
  const path = `/v1/admin/services/${service.id}/addons`;
  const state = useLoad((signal) => api.get<Page<Addon>>(`${path}?limit=100`, { signal }), [path]);
  const [f, setF] = useState({ name: '', price: '', duration: '0' });
  const sub = useSubmit();
  return (
    <section class="addons">
      <h3>Add-ons</h3>
      <Async state={state}>
        {(p) => p.items.length === 0 ? <p class="hint">No add-ons.</p> : (
          <ul>
            {p.items.map((a) => (
              <li key={a.id}>
                {a.name} — {money(a.price_minor, a.currency)}{a.duration_minutes ? `, +${a.duration_minutes} min` : ''}
                <button type="button" class="link" aria-label={`Remove add-on ${a.name}`} onClick={async () => {
                  try { await api.del(`${path}/${a.id}`); state.reload(); } catch (e) { errMsg(e); }
                }}>Remove</button>
              </li>
            ))}
          </ul>
        )}
      </Async>
      <form onSubmit={async (ev) => {
        ev.preventDefault();
        const ok = await sub.run(() => api.post(path, { name: f.name.trim(), price_minor: toMinor(f.price, service.currency), duration_minutes: Number(f.duration || 0) }));
        if (ok) { setF({ name: '', price: '', duration: '0' }); state.reload(); say('Add-on added.'); }
      }}>
        <div class="row">
          <TextField label="Add-on name" name="name" value={f.name} required maxLength={120} onValue={(v) => setF({ ...f, name: v })} error={sub.error} />
          <TextField label={`Price (${service.currency})`} name="price_minor" type="number" min={0} step="any" value={f.price}
            onValue={(v) => setF({ ...f, price: v })} error={sub.error} />
          <TextField label="Extra minutes" name="duration_minutes" type="number" min={0} max={240} value={f.duration}
            onValue={(v) => setF({ ...f, duration: v })} error={sub.error} />
          <button type="submit" disabled={sub.busy}>Add add-on</button>
        </div>
        <FormError error={sub.error} />
      </form>
    </section>
  );
}

/* ---- staff --------------------------------------------------------------- */

interface Member { id: string; display_name: string; email: string | null; phone: string | null; active: boolean; color: string | null; version: number }
interface TimeOff { id: string; starts_at: string; ends_at: string; reason: string | null }

function Staff() {
  const state = useLoad((signal) => api.get<Page<Member>>('/v1/admin/staff?limit=100', { signal }));
  const [sel, setSel] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const rw = can('staff', 'write');
  return (
    <>
      {rw && <p><button type="button" class="primary" onClick={() => setAdding(true)}>Add a staff member</button></p>}
      <Async state={state}>
        {(p) => p.items.length === 0 ? <Empty>No staff yet. Add the people customers book.</Empty> : (
          <div class="staff-layout">
            <ul class="staff-list" aria-label="Staff">
              {p.items.map((m) => (
                <li key={m.id}>
                  <button type="button" aria-pressed={sel === m.id} onClick={() => setSel(m.id)}>
                    {m.color && <span class="dot" style={{ background: m.color }} aria-hidden="true" />}
                    {m.display_name}{!m.active && <span class="badge">Inactive</span>}
                  </button>
                </li>
              ))}
            </ul>
            {sel ? <StaffDetail key={sel} id={sel} changed={state.reload} /> : <p class="hint">Choose a staff member to see their schedule, time off and services.</p>}
          </div>
        )}
      </Async>
      <Dialog title="New staff member" open={adding} onClose={() => setAdding(false)}>
        {adding && <StaffForm member={null} done={(id) => { setAdding(false); state.reload(); if (id) setSel(id); }} />}
      </Dialog>
    </>
  );
}

function StaffForm({ member, done }: { member: Member | null; done: (id?: string) => void }) {
  const fill = (m: Member | null) => ({ name: m?.display_name ?? '', email: m?.email ?? '', phone: m?.phone ?? '', color: m?.color ?? '#2563eb', active: m?.active ?? true });
  const [f, setF] = useState(fill(member));
  const [version, setVersion] = useState(member?.version ?? 0);
  const sub = useSubmit();
  const ro = !can('staff', 'write');
  const body = () => ({ display_name: f.name.trim(), email: nul(f.email), phone: nul(f.phone), color: f.color, active: f.active });
  const send = async (v: number) => {
    const r = await sub.run(() => (member ? api.patch<Member>(`/v1/admin/staff/${member.id}`, body(), { version: v })
      : api.post<Member>('/v1/admin/staff', body())));
    if (r) { setVersion(r.version); say('Staff member saved.'); done(r.id); }
  };
  const e = sub.error;
  return (
    <form onSubmit={(ev) => { ev.preventDefault(); void send(version); }}>
      <fieldset disabled={ro} class="plain">
        <TextField label="Name" name="display_name" value={f.name} required maxLength={120} onValue={(v) => setF({ ...f, name: v })} error={e} />
        <div class="row">
          <TextField label="E-mail" name="email" type="email" value={f.email} maxLength={254} onValue={(v) => setF({ ...f, email: v })} error={e} />
          <TextField label="Phone" name="phone" type="tel" value={f.phone} placeholder="+14155550123" onValue={(v) => setF({ ...f, phone: v })} error={e} />
          <TextField label="Colour" name="color" type="color" value={f.color} onValue={(v) => setF({ ...f, color: v })} error={e} />
        </div>
        <Checkbox label="Takes bookings" checked={f.active} onValue={(v) => setF({ ...f, active: v })} />
      </fieldset>
      <FormError error={e} {...(member ? stale<Member>(`/v1/admin/staff/${member.id}`, setVersion, (m) => setF(fill(m)), send, sub) : {})} />
      {!ro && <button type="submit" class="primary" disabled={sub.busy}>Save staff member</button>}
    </form>
  );
}

function StaffDetail({ id, changed }: { id: string; changed: () => void }) {
  const state = useLoad((signal) => api.get<Member>(`/v1/admin/staff/${id}`, { signal }), [id]);
  const rw = can('staff', 'write');
  return (
    <Async state={state}>
      {(m) => (
        <div class="staff-detail">
          <h2>{m.display_name}</h2>
          <div class="card"><StaffForm member={m} done={() => { changed(); state.reload(); }} /></div>
          <Schedule id={id} readOnly={!rw} />
          <Performs id={id} readOnly={!rw} />
          <TimeOffList id={id} readOnly={!rw} />
          {rw && (
            <p><button type="button" class="danger" onClick={async () => {
              if (!confirmAction(`Remove ${m.display_name}? Their bookings stay.`)) return;
              try { await api.del(`/v1/admin/staff/${id}`); say('Staff member removed.'); changed(); } catch (e) { errMsg(e); }
            }}>Remove {m.display_name}</button></p>
          )}
        </div>
      )}
    </Async>
  );
}

interface Sched { intervals: { weekday: number; starts: string; ends: string }[]; version: number }

function Schedule({ id, readOnly }: { id: string; readOnly: boolean }) {
  const path = `/v1/admin/staff/${id}/schedule`;
  const state = useLoad((signal) => api.get<Sched>(path, { signal }), [path]);
  const [draft, setDraft] = useState<Range[] | null>(null);
  const sub = useSubmit();
  const toRanges = (s: Sched) => s.intervals.map((x) => ({ weekday: x.weekday, from: x.starts, to: x.ends }));
  const send = async (ranges: Range[], version: number) => {
    const sorted = sortRanges(ranges);
    const r = await sub.run(() => api.put<Sched>(path, {
      intervals: sorted.map((x) => ({ weekday: x.weekday, starts: x.from, ends: x.to === '23:59' ? '24:00' : x.to })),
    }, { version }));
    if (r) { state.set(r); setDraft(null); say('Schedule saved.'); } else setDraft(sorted);
  };
  return (
    <Async state={state}>
      {(s) => {
        const ranges = draft ?? toRanges(s);
        return (
          <form class="card" aria-labelledby={`sched-${id}`} onSubmit={(ev) => { ev.preventDefault(); void send(ranges, s.version); }}>
            <h3 id={`sched-${id}`}>Weekly schedule</h3>
            <p class="hint">Times in {tz}. Customers can book them only within the business's opening hours.</p>
            <WeekEditor ranges={ranges} onChange={setDraft} readOnly={readOnly} error={sub.error} field="intervals" keys={['starts', 'ends']} />
            <FormError error={sub.error} onReload={async () => { const f = await api.get<Sched>(path); state.set(f); setDraft(null); sub.setError(null); }}
              onOverwrite={async () => { const f = await api.get<Sched>(path); state.set(f); await send(ranges, f.version); }} />
            {!readOnly && <button type="submit" class="primary" disabled={sub.busy}>Save schedule</button>}
          </form>
        );
      }}
    </Async>
  );
}

function Performs({ id, readOnly }: { id: string; readOnly: boolean }) {
  const path = `/v1/admin/staff/${id}/services`;
  const state = useLoad((signal) => Promise.all([
    api.get<{ service_ids: string[]; version: number }>(path, { signal }),
    api.get<Page<Service>>('/v1/admin/services?limit=100', { signal }),
  ]), [path]);
  const [draft, setDraft] = useState<string[] | null>(null);
  const sub = useSubmit();
  return (
    <Async state={state}>
      {([set, services]) => {
        const chosen = draft ?? set.service_ids;
        return (
          <form class="card" onSubmit={async (ev) => {
            ev.preventDefault();
            const r = await sub.run(() => api.put<{ service_ids: string[]; version: number }>(path, { service_ids: chosen }));
            if (r) { state.set([r, services]); setDraft(null); say('Services saved.'); }
          }}>
            <fieldset class="plain" disabled={readOnly}>
              <legend><h3>Services performed</h3></legend>
              {services.items.length === 0 && <p class="hint">No services yet: add them on the Services tab.</p>}
              {services.items.map((s) => (
                <Checkbox key={s.id} label={s.name} checked={chosen.includes(s.id)}
                  onValue={(v) => setDraft(v ? [...chosen, s.id] : chosen.filter((x) => x !== s.id))} />
              ))}
            </fieldset>
            <FormError error={sub.error} />
            {!readOnly && services.items.length > 0 && <button type="submit" disabled={sub.busy}>Save services</button>}
          </form>
        );
      }}
    </Async>
  );
}

function TimeOffList({ id, readOnly }: { id: string; readOnly: boolean }) {
  const path = `/v1/admin/staff/${id}/time-off`;
  const state = useLoad((signal) => api.get<Page<TimeOff>>(`${path}?limit=100`, { signal }), [path]);
  const [f, setF] = useState({ from: '', fromTime: '00:00', to: '', toTime: '23:59', reason: '' });
  const sub = useSubmit();
  return (
    <div class="card">
      <h3>Time off</h3>
      <Async state={state}>
        {(p) => p.items.length === 0 ? <p class="hint">No time off booked.</p> : (
          <ul>
            {p.items.map((t) => (
              <li key={t.id}>
                {dateTime(t.starts_at)} – {dateTime(t.ends_at)}{t.reason ? `: ${t.reason}` : ''}
                {!readOnly && (
                  <button type="button" class="link" aria-label={`Remove time off from ${dateTime(t.starts_at)}`} onClick={async () => {
                    try { await api.del(`${path}/${t.id}`); state.reload(); say('Time off removed.'); } catch (e) { errMsg(e); }
                  }}>Remove</button>
                )}
              </li>
            ))}
          </ul>
        )}
      </Async>
      {!readOnly && (
        <form onSubmit={async (ev) => {
          ev.preventDefault();
          const ok = await sub.run(() => api.post(path, {
            starts_at: instant(f.from, f.fromTime), ends_at: instant(f.to || f.from, f.toTime), reason: nul(f.reason),
          }));
          if (ok) { setF({ from: '', fromTime: '00:00', to: '', toTime: '23:59', reason: '' }); state.reload(); say('Time off added.'); }
        }}>
          <p class="hint">Times in {tz}.</p>
          <div class="row">
            <TextField label="Time off from" name="starts_at" type="date" required value={f.from} onValue={(v) => setF({ ...f, from: v })} error={sub.error} />
            <TextField label="From time" name="starts_time" type="time" required value={f.fromTime} onValue={(v) => setF({ ...f, fromTime: v })} />
            <TextField label="Time off until" name="ends_at" type="date" value={f.to} hint="Empty: the same day" onValue={(v) => setF({ ...f, to: v })} error={sub.error} />
            <TextField label="Until time" name="ends_time" type="time" required value={f.toTime} onValue={(v) => setF({ ...f, toTime: v })} />
          </div>
          <TextField label="Reason (optional)" name="reason" value={f.reason} maxLength={200} onValue={(v) => setF({ ...f, reason: v })} error={sub.error} />
          <FormError error={sub.error} />
          <button type="submit" disabled={sub.busy}>Add time off</button>
        </form>
      )}
    </div>
  );
}

/* ---- resources ----------------------------------------------------------- */

interface Resource { id: string; name: string; kind: string; quantity: number; active: boolean; version: number }
const KINDS = [{ value: 'room', label: 'Room' }, { value: 'chair', label: 'Chair' }, { value: 'equipment', label: 'Equipment' }, { value: 'other', label: 'Other' }];

function Resources() {
  return (
    <EditableList<Resource> path="/v1/admin/resources" rw={can('staff', 'write')} noun="resource" plural="Resources" add="Add a resource"
      empty="No resources. Add rooms or equipment that services need, so they are never double-booked."
      columns={[
        ['Resource', (r) => r.name],
        ['Kind', (r) => KINDS.find((k) => k.value === r.kind)?.label ?? r.kind],
        ['Units', (r) => r.quantity],
        ['Status', (r) => (r.active ? <span class="badge ok">In use</span> : <span class="badge">Inactive</span>)],
      ]}
      confirmDelete={(r) => `Delete "${r.name}"?`}
      form={(r, done) => <ResourceForm res={r} done={done} />} />
  );
}

function ResourceForm({ res, done }: { res: Resource | null; done: () => void }) {
  const fill = (r: Resource | null) => ({ name: r?.name ?? '', kind: r?.kind ?? 'room', quantity: String(r?.quantity ?? 1), active: r?.active ?? true });
  const [f, setF] = useState(fill(res));
  const [version, setVersion] = useState(res?.version ?? 0);
  const sub = useSubmit();
  const body = () => ({ name: f.name.trim(), kind: f.kind, quantity: Number(f.quantity), active: f.active });
  const send = async (v: number) => {
    const ok = await sub.run(() => (res ? api.patch(`/v1/admin/resources/${res.id}`, body(), { version: v }) : api.post('/v1/admin/resources', body())));
    if (ok) { say('Resource saved.'); done(); }
  };
  return (
    <>
      <form onSubmit={(ev) => { ev.preventDefault(); void send(version); }}>
        <TextField label="Name" name="name" value={f.name} required maxLength={120} onValue={(v) => setF({ ...f, name: v })} error={sub.error} />
        <div class="row">
          <Select label="Kind" name="kind" value={f.kind} options={KINDS} onValue={(v) => setF({ ...f, kind: v })} error={sub.error} />
          <TextField label="Identical units" name="quantity" type="number" min={1} max={100} required value={f.quantity}
            onValue={(v) => setF({ ...f, quantity: v })} error={sub.error} />
        </div>
        <Checkbox label="In use" checked={f.active} onValue={(v) => setF({ ...f, active: v })} />
        <FormError error={sub.error} {...(res ? stale<Resource>(`/v1/admin/resources/${res.id}`, setVersion, (r) => setF(fill(r)), send, sub) : {})} />
        <button type="submit" class="primary" disabled={sub.busy}>Save resource</button>
      </form>
      {res && <Needs res={res} />}
    </>
  );
}

function Needs({ res }: { res: Resource }) {
  const path = `/v1/admin/resources/${res.id}/services`;
  const state = useLoad((signal) => Promise.all([
    api.get<{ items: { service_id: string; quantity_needed: number }[] }>(path, { signal }),
    api.get<Page<Service>>('/v1/admin/services?limit=100', { signal }),
  ]), [path]);
  const [draft, setDraft] = useState<Record<string, number> | null>(null);
  const sub = useSubmit();
  return (
    <Async state={state}>
      {([set, services]) => {
        const need = draft ?? Object.fromEntries(set.items.map((i) => [i.service_id, i.quantity_needed]));
        return (
          <form class="needs" onSubmit={async (ev) => {
            ev.preventDefault();
            const items = Object.entries(need).map(([service_id, quantity_needed]) => ({ service_id, quantity_needed }));
            const r = await sub.run(() => api.put<{ items: { service_id: string; quantity_needed: number }[] }>(path, { items }));
            if (r) { state.set([r, services]); setDraft(null); say('Saved which services need it.'); }
          }}>
            <fieldset class="plain">
              <legend><h3>Services that need it</h3></legend>
              {services.items.map((s) => (
                <Checkbox key={s.id} label={s.name} checked={s.id in need} onValue={(v) => {
                  const n = { ...need };
                  if (v) n[s.id] = 1; else delete n[s.id];
                  setDraft(n);
                }} />
              ))}
            </fieldset>
            <FormError error={sub.error} />
            {services.items.length > 0 && <button type="submit" disabled={sub.busy}>Save needs</button>}
          </form>
        );
      }}
    </Async>
  );
}
