// business.tsx — the business itself: profile and time zone, opening hours,
// closed days, policies, FAQs and reminders, one tab each (business/:tab).
import { useState } from 'preact/hooks';
import { api, type Page } from '../api';
import { can, shell, tz } from '../state';
import { longDate } from '../format';
import {
  Async, Checkbox, confirmAction, Dialog, Empty, FormError, PageHeader, say, TextArea, TextField, useLoad, useSubmit,
} from '../ui';
import { sortRanges, WeekEditor, type Range } from './business-week';
import { Reminders } from './business-reminders';

const TABS = [
  { id: 'profile', label: 'Profile' },
  { id: 'hours', label: 'Opening hours' },
  { id: 'closures', label: 'Closures' },
  { id: 'policies', label: 'Policies' },
  { id: 'faqs', label: 'FAQs' },
  { id: 'reminders', label: 'Reminders' },
];

export function Tabs({ base, tabs, current }: { base: string; tabs: { id: string; label: string }[]; current: string }) {
  return (
    <nav class="tabs" aria-label="Sections">
      {tabs.map((t) => (
        <a key={t.id} href={`${base}/${t.id}`} aria-current={t.id === current ? 'page' : undefined}>{t.label}</a>
      ))}
    </nav>
  );
}

export default function Business({ tab = 'profile' }: { tab?: string }) {
  const current = TABS.some((t) => t.id === tab) ? tab : 'profile';
  return (
    <section>
      <PageHeader title="Business" />
      <Tabs base={`${shell.base}business`} tabs={TABS} current={current} />
      {current === 'profile' && <Profile />}
      {current === 'hours' && <Hours />}
      {current === 'closures' && <Closures />}
      {current === 'policies' && <Policies />}
      {current === 'faqs' && <Faqs />}
      {current === 'reminders' && <Reminders />}
    </section>
  );
}

/* ---- profile ------------------------------------------------------------- */

interface ProfileRow {
  business_name: string; timezone: string; phone: string | null; email: string | null; website_url: string | null;
  address_line1: string | null; address_line2: string | null; city: string | null; region: string | null;
  postal_code: string | null; country: string; version: number;
}

const ZONES: string[] = (() => {
  try {
    return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('timeZone');
  } catch {
    return [tz];
  }
})();

const nul = (s: string | null | undefined) => (s === undefined || s === null || s.trim() === '' ? null : s.trim());

/** A record form: loads, edits a copy, saves with If-Match, and offers
 * reload / overwrite when someone else saved first. */
function useRecord<T extends { version: number }>(path: string) {
  const state = useLoad((signal) => api.get<T>(path, { signal }), [path]);
  const [draft, setDraft] = useState<T | null>(null);
  const sub = useSubmit();
  const form = draft ?? state.data;
  const edit = (patch: Partial<T>) => setDraft({ ...(form as T), ...patch });
  const save = async (body: (f: T) => Partial<T>, version?: number) => {
    if (!form) return;
    const saved = await sub.run(() => api.patch<T>(path, body(form), { version: version ?? form.version }));
    if (saved) {
      state.set(saved);
      setDraft(null);
      say('Saved.');
    }
  };
  const reload = async () => {
    const fresh = await api.get<T>(path);
    state.set(fresh);
    setDraft(null);
    sub.setError(null);
  };
  const overwrite = async (body: (f: T) => Partial<T>) => {
    const fresh = await api.get<T>(path);
    await save(body, fresh.version);
  };
  return { state, form, edit, save, reload, overwrite, sub };
}

function Profile() {
  const r = useRecord<ProfileRow>('/v1/admin/profile');
  const ro = !can('profile', 'write');
  const body = (f: ProfileRow) => ({
    business_name: f.business_name.trim(), timezone: f.timezone, phone: nul(f.phone), email: nul(f.email),
    website_url: nul(f.website_url), address_line1: nul(f.address_line1), address_line2: nul(f.address_line2),
    city: nul(f.city), region: nul(f.region), postal_code: nul(f.postal_code), country: f.country.toUpperCase(),
  });
  return (
    <Async state={r.state}>
      {() => {
        const f = r.form as ProfileRow;
        const e = r.sub.error;
        return (
          <form class="card" onSubmit={(ev) => { ev.preventDefault(); void r.save(body); }}>
            <fieldset disabled={ro} class="plain">
              <TextField label="Business name" name="business_name" value={f.business_name} required maxLength={200}
                onValue={(v) => r.edit({ business_name: v })} error={e} />
              <TextField label="Time zone" name="timezone" value={f.timezone} required list="tz-list"
                hint="Type to search (e.g. London, New York). Every time in the app and the booking page uses it."
                onValue={(v) => r.edit({ timezone: v })} error={e} />
              <datalist id="tz-list">{ZONES.map((z) => <option key={z} value={z} />)}</datalist>
              <div class="row">
                <TextField label="Phone" name="phone" type="tel" value={f.phone} placeholder="+14155550123"
                  hint="International format, starting with +" onValue={(v) => r.edit({ phone: v })} error={e} />
                <TextField label="E-mail" name="email" type="email" value={f.email} maxLength={254}
                  onValue={(v) => r.edit({ email: v })} error={e} />
              </div>
              <TextField label="Website" name="website_url" type="url" value={f.website_url} maxLength={2048}
                placeholder="https://" onValue={(v) => r.edit({ website_url: v })} error={e} />
              <TextField label="Address" name="address_line1" value={f.address_line1} maxLength={200}
                onValue={(v) => r.edit({ address_line1: v })} error={e} />
              <TextField label="Address, second line" name="address_line2" value={f.address_line2} maxLength={200}
                onValue={(v) => r.edit({ address_line2: v })} error={e} />
              <div class="row">
                <TextField label="City" name="city" value={f.city} maxLength={100} onValue={(v) => r.edit({ city: v })} error={e} />
                <TextField label="Region" name="region" value={f.region} maxLength={100} onValue={(v) => r.edit({ region: v })} error={e} />
                <TextField label="Postal code" name="postal_code" value={f.postal_code} maxLength={20}
                  onValue={(v) => r.edit({ postal_code: v })} error={e} />
                <TextField label="Country" name="country" value={f.country} required maxLength={2} pattern="[A-Za-z]{2}"
                  hint="Two letters, e.g. GB" onValue={(v) => r.edit({ country: v })} error={e} />
              </div>
            </fieldset>
            <FormError error={e} onReload={() => void r.reload()} onOverwrite={() => void r.overwrite(body)} />
            {!ro && <button type="submit" class="primary" disabled={r.sub.busy}>Save profile</button>}
          </form>
        );
      }}
    </Async>
  );
}

/* ---- opening hours ------------------------------------------------------- */

interface Hour { id: string; weekday: number; opens: string; closes: string }

function Hours() {
  const state = useLoad((signal) => api.get<Page<Hour>>('/v1/admin/hours?limit=100', { signal })
    .then((p) => p.items.map((h) => ({ weekday: h.weekday, from: h.opens, to: h.closes }))));
  const [draft, setDraft] = useState<Range[] | null>(null);
  const sub = useSubmit();
  const ro = !can('profile', 'write');
  return (
    <Async state={state}>
      {(loaded) => {
        const ranges = draft ?? loaded;
        return (
          <form class="card" onSubmit={async (ev) => {
            ev.preventDefault();
            const sorted = sortRanges(ranges);
            const res = await sub.run(() => api.put<{ intervals: { weekday: number; opens: string; closes: string }[] }>(
              '/v1/admin/hours', { intervals: sorted.map((x) => ({ weekday: x.weekday, opens: x.from, closes: x.to === '23:59' ? '24:00' : x.to })) }));
            if (res) {
              state.set(res.intervals.map((h) => ({ weekday: h.weekday, from: h.opens, to: h.closes })));
              setDraft(null);
              say('Opening hours saved.');
            } else setDraft(sorted);
          }}>
            <p class="hint">Times in {tz}. A day with no range is closed. Ending at 23:59 means open until midnight.</p>
            <WeekEditor ranges={ranges} onChange={setDraft} readOnly={ro} error={sub.error} field="intervals" keys={['opens', 'closes']} />
            <FormError error={sub.error} />
            {!ro && <button type="submit" class="primary" disabled={sub.busy}>Save opening hours</button>}
          </form>
        );
      }}
    </Async>
  );
}

/* ---- closures ------------------------------------------------------------ */

interface Closure { id: string; day: string; reason: string | null; version: number }

function Closures() {
  const state = useLoad((signal) => api.get<Page<Closure>>('/v1/admin/closures?limit=100', { signal }));
  const [day, setDay] = useState('');
  const [reason, setReason] = useState('');
  const sub = useSubmit();
  const ro = !can('profile', 'write');
  return (
    <>
      {!ro && (
        <form class="card" onSubmit={async (ev) => {
          ev.preventDefault();
          const ok = await sub.run(() => api.post('/v1/admin/closures', { day, reason: nul(reason) }));
          if (ok) { setDay(''); setReason(''); say('Closure added.'); state.reload(); }
        }}>
          <h2>Add a closed day</h2>
          <div class="row">
            <TextField label="Day" name="day" type="date" value={day} required onValue={setDay} error={sub.error} />
            <TextField label="Reason (optional)" name="reason" value={reason} maxLength={200} onValue={setReason} error={sub.error} />
            <button type="submit" class="primary" disabled={sub.busy}>Add closure</button>
          </div>
          <FormError error={sub.error} />
        </form>
      )}
      <Async state={state}>
        {(p) => p.items.length === 0 ? <Empty>No closed days. Add holidays here so nobody can book them.</Empty> : (
          <div class="table-wrap">
            <table>
              <caption class="sr">Closed days</caption>
              <thead><tr><th>Day</th><th>Reason</th>{!ro && <th><span class="sr">Actions</span></th>}</tr></thead>
              <tbody>
                {p.items.map((c) => (
                  <tr key={c.id}>
                    <td>{longDate(`${c.day}T12:00:00Z`)}</td>
                    <td>{c.reason ?? '—'}</td>
                    {!ro && (
                      <td><button type="button" class="danger" aria-label={`Remove closure on ${c.day}`} onClick={async () => {
                        if (!confirmAction(`Open again on ${c.day}?`)) return;
                        try { await api.del(`/v1/admin/closures/${c.id}`); say('Closure removed.'); state.reload(); } catch (e) { say(String((e as Error).message), 'error'); }
                      }}>Remove</button></td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Async>
    </>
  );
}

/* ---- policies ------------------------------------------------------------ */

interface PoliciesRow {
  cancellation_policy: string | null; late_policy: string | null; no_show_policy: string | null;
  payment_policy: string | null; cancellation_window_hours: number; version: number;
}

function Policies() {
  const r = useRecord<PoliciesRow>('/v1/admin/policies');
  const ro = !can('profile', 'write');
  const body = (f: PoliciesRow) => ({
    cancellation_policy: nul(f.cancellation_policy), late_policy: nul(f.late_policy), no_show_policy: nul(f.no_show_policy),
    payment_policy: nul(f.payment_policy), cancellation_window_hours: Number(f.cancellation_window_hours),
  });
  return (
    <Async state={r.state}>
      {() => {
        const f = r.form as PoliciesRow;
        const e = r.sub.error;
        return (
          <form class="card" onSubmit={(ev) => { ev.preventDefault(); void r.save(body); }}>
            <fieldset disabled={ro} class="plain">
              <TextField label="Cancellation window (hours)" name="cancellation_window_hours" type="number" min={0} max={720}
                value={f.cancellation_window_hours} hint="Customers may cancel or move up to this many hours before (0 = any time)."
                onValue={(v) => r.edit({ cancellation_window_hours: v === '' ? 0 : Number(v) })} error={e} />
              <TextArea label="Cancellation policy" name="cancellation_policy" value={f.cancellation_policy} maxLength={2000}
                onValue={(v) => r.edit({ cancellation_policy: v })} error={e} />
              <TextArea label="Late arrivals" name="late_policy" value={f.late_policy} maxLength={2000}
                onValue={(v) => r.edit({ late_policy: v })} error={e} />
              <TextArea label="No-shows" name="no_show_policy" value={f.no_show_policy} maxLength={2000}
                onValue={(v) => r.edit({ no_show_policy: v })} error={e} />
              <TextArea label="Payment" name="payment_policy" value={f.payment_policy} maxLength={2000}
                onValue={(v) => r.edit({ payment_policy: v })} error={e} />
            </fieldset>
            <FormError error={e} onReload={() => void r.reload()} onOverwrite={() => void r.overwrite(body)} />
            {!ro && <button type="submit" class="primary" disabled={r.sub.busy}>Save policies</button>}
          </form>
        );
      }}
    </Async>
  );
}

/* ---- FAQs ---------------------------------------------------------------- */

interface Faq { id: string; question: string; answer: string; active: boolean; sort_order: number; tags: string[]; version: number }

function Faqs() {
  const state = useLoad((signal) => api.get<Page<Faq>>('/v1/admin/faqs?limit=100', { signal }));
  const [open, setOpen] = useState<Faq | 'new' | null>(null);
  const rw = can('knowledge', 'write');
  return (
    <>
      {rw && <p><button type="button" class="primary" onClick={() => setOpen('new')}>Add an FAQ</button></p>}
      <Async state={state}>
        {(p) => p.items.length === 0 ? <Empty>No FAQs yet. The receptionist answers from these.</Empty> : (
          <ul class="faq-list">
            {p.items.map((f) => (
              <li key={f.id} class="card">
                <h3>{f.question} {!f.active && <span class="badge">Hidden</span>}</h3>
                <p>{f.answer}</p>
                {rw && (
                  <div class="row">
                    <button type="button" onClick={() => setOpen(f)} aria-label={`Edit FAQ: ${f.question}`}>Edit</button>
                    <button type="button" class="danger" aria-label={`Delete FAQ: ${f.question}`} onClick={async () => {
                      if (!confirmAction(`Delete the FAQ "${f.question}"?`)) return;
                      try { await api.del(`/v1/admin/faqs/${f.id}`); say('FAQ deleted.'); state.reload(); } catch (e) { say(String((e as Error).message), 'error'); }
                    }}>Delete</button>
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </Async>
      <Dialog title={open === 'new' ? 'New FAQ' : 'Edit FAQ'} open={open !== null} onClose={() => setOpen(null)}>
        {open !== null && <FaqForm faq={open === 'new' ? null : open} done={() => { setOpen(null); state.reload(); }} />}
      </Dialog>
    </>
  );
}

function FaqForm({ faq, done }: { faq: Faq | null; done: () => void }) {
  const [f, setF] = useState({ question: faq?.question ?? '', answer: faq?.answer ?? '', active: faq?.active ?? true,
    tags: (faq?.tags ?? []).join(', ') });
  const [version, setVersion] = useState(faq?.version);
  const sub = useSubmit();
  const body = () => ({ question: f.question.trim(), answer: f.answer.trim(), active: f.active,
    tags: f.tags.split(',').map((t) => t.trim()).filter(Boolean) });
  const send = async (v = version) => {
    const ok = await sub.run(() => (faq ? api.patch(`/v1/admin/faqs/${faq.id}`, body(), { version: v })
      : api.post('/v1/admin/faqs', body())));
    if (ok) { say('FAQ saved.'); done(); }
  };
  return (
    <form onSubmit={(ev) => { ev.preventDefault(); void send(); }}>
      <TextField label="Question" name="question" value={f.question} required maxLength={500} onValue={(v) => setF({ ...f, question: v })} error={sub.error} />
      <TextArea label="Answer" name="answer" value={f.answer} maxLength={5000} rows={5} onValue={(v) => setF({ ...f, answer: v })} error={sub.error} />
      <TextField label="Tags" name="tags" value={f.tags} hint="Comma-separated, optional" onValue={(v) => setF({ ...f, tags: v })} error={sub.error} />
      <Checkbox label="Shown to customers" checked={f.active} onValue={(v) => setF({ ...f, active: v })} />
      <FormError error={sub.error} onReload={faq ? async () => {
        const fresh = await api.get<Faq>(`/v1/admin/faqs/${faq.id}`);
        setF({ question: fresh.question, answer: fresh.answer, active: fresh.active, tags: fresh.tags.join(', ') });
        setVersion(fresh.version); sub.setError(null);
      } : undefined} onOverwrite={faq ? async () => {
        const fresh = await api.get<Faq>(`/v1/admin/faqs/${faq.id}`);
        setVersion(fresh.version); await send(fresh.version);
      } : undefined} />
      <button type="submit" class="primary" disabled={sub.busy}>Save FAQ</button>
    </form>
  );
}
