// platform.tsx — the agency console's tenants: search and list them with
// plan and status, create one with an owner invitation, and a tenant's own
// page (details, this month's usage, plan override, suspend / restore /
// delete with a reason, and "act as" — the support session that opens the
// business's own app on its host, read-only unless escalated).
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, qs, type Page } from '../api';
import { shell } from '../state';
import {
  Async, Badge, Checkbox, Dialog, Empty, FormError, PageHeader, Select, TextField, say, useLoad, useSubmit,
} from '../ui';
import { dateTime, zoneLabel } from '../format';
import { auditWhat, PlanBadge, PLANS, StatusBadge, TableWrap, type PlatformTenant } from './platform-common';

const STATUS_FILTER = [
  { value: '', label: 'Any status' },
  { value: 'active', label: 'Active' },
  { value: 'suspended', label: 'Suspended' },
  { value: 'deleted', label: 'Deleted' },
];

/** The tenant's own address: its subdomain of the platform's host. */
export function tenantOrigin(slug: string): string {
  return `${location.protocol}//${slug}.${location.host}`;
}

export default function TenantsPage({ id }: { id?: string }) {
  return id ? <TenantPage id={id} /> : <TenantList />;
}

/* ---- the list ------------------------------------------------------------- */

function TenantList() {
  const params = new URLSearchParams(location.search);
  const [q, setQ] = useState(params.get('q') ?? '');
  const [status, setStatus] = useState(params.get('status') ?? '');
  const [query, setQuery] = useState({ q, status });
  const [more, setMore] = useState<PlatformTenant[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [creating, setCreating] = useState(false);
  const list = useLoad(async (signal) => {
    const r = await api.get<Page<PlatformTenant>>(`/v1/platform/tenants${qs({ q: query.q.trim(), status: query.status, limit: 25 })}`, { signal });
    setMore([]);
    setCursor(r.next_cursor);
    return r.items;
  }, [query]);

  async function loadMore() {
    if (!cursor) return;
    const r = await api.get<Page<PlatformTenant>>(`/v1/platform/tenants${qs({ q: query.q.trim(), status: query.status, limit: 25, cursor })}`);
    setMore((m) => [...m, ...r.items]);
    setCursor(r.next_cursor);
  }

  return (
    <section>
      <PageHeader title="Tenants">
        <button type="button" class="primary" onClick={() => setCreating(true)}>New tenant</button>
      </PageHeader>
      <form class="row platform-search" role="search" onSubmit={(e) => { e.preventDefault(); setQuery({ q, status }); }}>
        <TextField label="Search by name or address" name="q" type="search" value={q} onValue={setQ} maxLength={100} />
        <Select label="Status" name="status" value={status} onValue={(v) => { setStatus(v); setQuery({ q, status: v }); }} options={STATUS_FILTER} />
        <button type="submit">Search</button>
      </form>
      <Async state={list}>
        {(items) => {
          const all = [...items, ...more];
          if (all.length === 0) {
            return <Empty>{query.q || query.status ? 'No tenant matches this search.' : 'No tenants yet. Create the first one.'}</Empty>;
          }
          return (
            <>
              <p class="hint">Times in {zoneLabel()}.</p>
              <TableWrap label="Tenants">
                <table class="platform-tenants">
                  <caption class="visually-hidden">Tenants</caption>
                  <thead>
                    <tr><th scope="col">Business</th><th scope="col">Address</th><th scope="col">Plan</th><th scope="col">Status</th><th scope="col">Created</th></tr>
                  </thead>
                  <tbody>
                    {all.map((t) => (
                      <tr key={t.id}>
                        <td><a href={`${shell.base}tenants/${t.id}`}>{t.name || t.slug}</a></td>
                        <td><code>{t.slug}</code></td>
                        <td><PlanBadge plan={t.plan} /></td>
                        <td><StatusBadge status={t.status} /></td>
                        <td>{dateTime(t.created_at)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
              {cursor && <p><button type="button" onClick={() => void loadMore()}>Show more tenants</button></p>}
            </>
          );
        }}
      </Async>
      <CreateTenant open={creating} onClose={() => setCreating(false)} />
    </section>
  );
}

const slugOf = (name: string) => name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-')
  .replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');

function CreateTenant({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { route } = useLocation();
  const [f, setF] = useState({ name: '', slug: '', timezone: 'Europe/London', plan: 'free', owner_email: '' });
  const [slugTouched, setSlugTouched] = useState(false);
  const s = useSubmit();
  const set = (k: keyof typeof f) => (v: string) => setF((o) => ({
    ...o, [k]: v, ...(k === 'name' && !slugTouched ? { slug: slugOf(v) } : {}),
  }));
  async function submit(e: Event) {
    e.preventDefault();
    const r = await s.run(() => api.post<PlatformTenant & { invitation?: { email: string } }>('/v1/platform/tenants', {
      name: f.name.trim(), slug: f.slug, timezone: f.timezone, plan: f.plan,
      ...(f.owner_email.trim() ? { owner_email: f.owner_email.trim() } : {}),
    }));
    if (!r) return;
    say(r.invitation ? `${r.name} created; ${r.invitation.email} is invited as owner.` : `${r.name} created.`);
    onClose();
    route(`${shell.base}tenants/${r.id}`);
  }
  return (
    <Dialog title="New tenant" open={open} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate={false}>
        <TextField label="Business name" name="name" value={f.name} onValue={set('name')} required maxLength={200} error={s.error} autoFocus />
        <TextField label="Address (subdomain)" name="slug" value={f.slug} error={s.error}
          onValue={(v) => { setSlugTouched(true); set('slug')(v); }} required maxLength={63} pattern="[a-z0-9]([a-z0-9-]*[a-z0-9])?"
          hint={`Lower-case letters, digits and hyphens: ${f.slug || 'name'}.${location.hostname}`} />
        <TextField label="Time zone" name="timezone" value={f.timezone} onValue={set('timezone')} required maxLength={64}
          hint="An IANA zone, e.g. Europe/London or America/New_York" error={s.error} />
        <Select label="Plan" name="plan" value={f.plan} onValue={set('plan')} options={PLANS} error={s.error} />
        <TextField label="Owner's e-mail" name="owner_email" type="email" value={f.owner_email} onValue={set('owner_email')}
          maxLength={254} error={s.error} hint="They get an invitation to become the business's owner (valid 7 days)." />
        <FormError error={s.error} />
        <div class="row">
          <button type="submit" class="primary" disabled={s.busy}>{s.busy ? 'Creating…' : 'Create tenant'}</button>
          <button type="button" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}

/* ---- one tenant ----------------------------------------------------------- */

interface ActivityRow {
  id: string; actor_type: string; actor_id: string | null; on_behalf_of: string | null; action: string;
  target_type: string | null; target_id: string | null; changes: Record<string, unknown> | null; created_at: string;
}

interface TenantDetail extends PlatformTenant {
  deleted_at: string | null;
  usage: { month: string; messages: number; model_calls: number; bookings: number; users: number; pending_invitations: number };
  invitations: { id: string; email: string; role: string; expires_at: string; created_at: string }[];
  platform_activity: ActivityRow[];
}

type StatusAction = 'suspend' | 'restore' | 'delete';

function TenantPage({ id }: { id: string }) {
  const t = useLoad((signal) => api.get<TenantDetail>(`/v1/platform/tenants/${id}`, { signal }), [id]);
  const [action, setAction] = useState<StatusAction | null>(null);
  const [acting, setActing] = useState(false);
  return (
    <section>
      <Async state={t}>
        {(d) => (
          <>
            <PageHeader title={d.name || d.slug}>
              {d.status === 'active' && <button type="button" class="primary" onClick={() => setActing(true)}>Act as this business</button>}
            </PageHeader>
            <p><a href={`${shell.base}tenants`}>← All tenants</a></p>
            <div class="grid">
              <div class="card">
                <h2>Details</h2>
                <dl class="platform-dl">
                  <dt>Status</dt><dd><StatusBadge status={d.status} /></dd>
                  <dt>Plan</dt><dd><PlanBadge plan={d.plan} /></dd>
                  <dt>Address</dt><dd>{d.status === 'active' ? <a href={`${tenantOrigin(d.slug)}/admin/`}>{d.slug}.{location.hostname}</a> : <code>{d.slug}.{location.hostname}</code>}</dd>
                  <dt>Time zone</dt><dd>{d.timezone}</dd>
                  <dt>Created</dt><dd>{dateTime(d.created_at)}</dd>
                  {d.deleted_at && <><dt>Deleted</dt><dd>{dateTime(d.deleted_at)}</dd></>}
                </dl>
                <p class="hint">Times in {zoneLabel()}.</p>
              </div>
              <div class="card">
                <h2>Usage in {d.usage.month}</h2>
                <dl class="platform-dl">
                  <dt>Customer messages</dt><dd>{d.usage.messages.toLocaleString()}</dd>
                  <dt>Bookings made</dt><dd>{d.usage.bookings.toLocaleString()}</dd>
                  <dt>AI model calls</dt><dd>{d.usage.model_calls.toLocaleString()}</dd>
                  <dt>Team members</dt><dd>{d.usage.users}</dd>
                  <dt>Pending invitations</dt><dd>{d.usage.pending_invitations}</dd>
                </dl>
              </div>
              <PlanCard tenant={d} onDone={(x) => t.set({ ...d, ...x })} />
              <div class="card">
                <h2>Status</h2>
                <p>{statusText(d.status)}</p>
                <div class="row">
                  {d.status === 'active' && <button type="button" onClick={() => setAction('suspend')}>Suspend…</button>}
                  {d.status !== 'active' && <button type="button" onClick={() => setAction('restore')}>Restore…</button>}
                  {d.status !== 'deleted' && <button type="button" class="danger" onClick={() => setAction('delete')}>Delete…</button>}
                </div>
              </div>
            </div>
            {d.invitations.length > 0 && (
              <div class="card">
                <h2>Pending invitations</h2>
                <ul>{d.invitations.map((i) => <li key={i.id}>{i.email} — {i.role.toLowerCase()}, until {dateTime(i.expires_at)}</li>)}</ul>
              </div>
            )}
            <Activity rows={d.platform_activity} />
            <StatusDialog tenant={d} action={action} onClose={() => setAction(null)} onDone={t.reload} />
            <ActAsDialog tenant={d} open={acting} onClose={() => setActing(false)} />
          </>
        )}
      </Async>
    </section>
  );
}

function statusText(s: string): string {
  if (s === 'active') return 'Active: its pages, widget and app answer.';
  if (s === 'suspended') return 'Suspended: its pages, widget and app answer "currently unavailable"; nothing is lost.';
  return 'Deleted: its address answers "not found"; its data is kept and it can be restored.';
}

function PlanCard({ tenant, onDone }: { tenant: TenantDetail; onDone: (t: PlatformTenant) => void }) {
  const [plan, setPlan] = useState(tenant.plan);
  const s = useSubmit();
  async function submit(e: Event) {
    e.preventDefault();
    const r = await s.run(() => api.patch<PlatformTenant>(`/v1/platform/tenants/${tenant.id}`, { plan }));
    if (r) { say(`Plan changed to ${r.plan}.`); onDone(r); }
  }
  return (
    <form class="card" onSubmit={(e) => void submit(e)}>
      <h2>Plan</h2>
      <Select label="Plan override" name="plan" value={plan} onValue={setPlan} options={PLANS} error={s.error}
        hint="Takes effect at once; recorded in the business's audit log." />
      <FormError error={s.error} />
      <button type="submit" disabled={s.busy || plan === tenant.plan}>Change plan</button>
    </form>
  );
}

const ACTION_WORDS: Record<StatusAction, { title: string; button: string; done: string }> = {
  suspend: { title: 'Suspend', button: 'Suspend tenant', done: 'suspended' },
  restore: { title: 'Restore', button: 'Restore tenant', done: 'restored' },
  delete: { title: 'Delete', button: 'Delete tenant', done: 'deleted' },
};

function StatusDialog({ tenant, action, onClose, onDone }: {
  tenant: TenantDetail; action: StatusAction | null; onClose: () => void; onDone: () => void;
}) {
  const [reason, setReason] = useState('');
  const [typed, setTyped] = useState('');
  const s = useSubmit();
  const w = action ? ACTION_WORDS[action] : ACTION_WORDS.suspend;
  const close = () => { setReason(''); setTyped(''); s.setError(null); onClose(); };
  async function submit(e: Event) {
    e.preventDefault();
    if (!action) return;
    const path = `/v1/platform/tenants/${tenant.id}`;
    const body = { reason: reason.trim() };
    const ok = await s.run(async () => {
      if (action === 'delete') await api.del(path, undefined, body);
      else await api.post(`${path}/${action}`, body);
      return true;
    });
    if (!ok) return;
    say(`${tenant.name || tenant.slug} ${w.done}.`);
    close();
    onDone();
  }
  return (
    <Dialog title={`${w.title} ${tenant.name || tenant.slug}`} open={action !== null} onClose={close}>
      <form onSubmit={(e) => void submit(e)}>
        {action === 'suspend' && <p>Its booking page, widget and app will answer “currently unavailable”, and any support session ends. Nothing is deleted.</p>}
        {action === 'restore' && <p>Its address, booking page, widget and app answer again.</p>}
        {action === 'delete' && (
          <p class="warn">This is a soft delete: the business's address stops answering and its support sessions end, but its
            data (bookings, customers, conversations) is kept and the tenant can be restored from this page.</p>
        )}
        <TextField label="Reason" name="reason" value={reason} onValue={setReason} required minLength={3} maxLength={500}
          error={s.error} hint="Kept in the business's audit log." autoFocus />
        {action === 'delete' && (
          <TextField label={`Type ${tenant.slug} to confirm`} name="confirm" value={typed} onValue={setTyped} required autoComplete="off" />
        )}
        <FormError error={s.error} />
        <div class="row">
          <button type="submit" class={action === 'restore' ? 'primary' : 'danger'}
            disabled={s.busy || reason.trim().length < 3 || (action === 'delete' && typed !== tenant.slug)}>{w.button}</button>
          <button type="button" onClick={close}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}

function ActAsDialog({ tenant, open, onClose }: { tenant: TenantDetail; open: boolean; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const [minutes, setMinutes] = useState('30');
  const [write, setWrite] = useState(false);
  const s = useSubmit();
  async function submit(e: Event) {
    e.preventDefault();
    const r = await s.run(() => api.post<{ handoff: { token: string } }>('/v1/platform/act-as', {
      tenant_id: tenant.id, minutes: Number(minutes), write, reason: reason.trim(),
    }));
    if (!r) return;
    // The hand-off token is good once, for a minute: go now. The fragment
    // never reaches a server log.
    location.assign(`${tenantOrigin(tenant.slug)}/admin/act-as#token=${encodeURIComponent(r.handoff.token)}`);
  }
  return (
    <Dialog title={`Act as ${tenant.name || tenant.slug}`} open={open} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <p>Opens the business's own app on its address as a support session. Every page you open there is recorded in its
          audit log with your name.</p>
        <TextField label="Reason" name="reason" value={reason} onValue={setReason} required minLength={3} maxLength={500}
          error={s.error} hint="E.g. the support ticket. Recorded in the audit log." autoFocus />
        <Select label="Length" name="minutes" value={minutes} onValue={setMinutes} error={s.error}
          options={[{ value: '15', label: '15 minutes' }, { value: '30', label: '30 minutes' }, { value: '60', label: '60 minutes' }]} />
        <Checkbox label="Allow changes" checked={write} onValue={setWrite}
          hint="Without this the session is read-only. Changes are recorded as made by you." />
        <FormError error={s.error} />
        <div class="row">
          <button type="submit" class="primary" disabled={s.busy || reason.trim().length < 3}>Start support session</button>
          <button type="button" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}

function Activity({ rows }: { rows: ActivityRow[] }) {
  return (
    <div class="card">
      <h2>Platform activity</h2>
      {rows.length === 0 ? <Empty>Nothing yet.</Empty> : (
        <TableWrap label="Platform activity in this business, newest first">
          <table>
            <caption class="visually-hidden">Platform activity in this business, newest first</caption>
            <thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Detail</th></tr></thead>
            <tbody>
              {rows.map((a) => (
                <tr key={a.id}>
                  <td>{dateTime(a.created_at)}</td>
                  <td>{auditWhat(a.action)}{a.on_behalf_of && <Badge kind="warn">support</Badge>}</td>
                  <td>{activityDetail(a)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </div>
  );
}

function activityDetail(a: ActivityRow): string {
  const c = a.changes ?? {};
  const parts: string[] = [];
  if (typeof c.path === 'string') parts.push(`${c.method ?? ''} ${c.path}`.trim());
  if (c.allowed === false) parts.push('refused');
  if (typeof c.reason === 'string') parts.push(`reason: ${c.reason}`);
  const ft = (c.plan ?? c.status) as { from?: string; to?: string } | undefined;
  if (ft && typeof ft === 'object' && 'to' in ft) parts.push(`${ft.from ?? '—'} → ${ft.to}`);
  if (typeof c.minutes === 'number') parts.push(`${c.minutes} min, ${c.write ? 'may change things' : 'read-only'}`);
  return parts.join('; ');
}

