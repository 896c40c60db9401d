// audit.tsx — the business's audit log: who did what to which record,
// newest first, filtered by actor, action, record type and dates (in the
// business's zone), paged by cursor; a row opens its detail with the
// before and after of each changed field. What the agency's support staff
// did while acting as the business is marked "on behalf of".
import { useState } from 'preact/hooks';
import { api, ApiError, qs, type Page } from '../api';
import { Async, Badge, Dialog, Empty, PageHeader, Select, TextField, useLoad } from '../ui';
import { addDays, dateTime, instant, zoneLabel } from '../format';
import { auditWhat, TableWrap } from './platform-common';

interface AuditRow {
  id: string;
  actor_type: string;
  actor_id: string | null;
  on_behalf_of: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  changes: unknown;
  request_id: string | null;
  created_at: string;
}

const ACTORS = [
  { value: '', label: 'Anyone' },
  { value: 'user', label: 'A team member' },
  { value: 'platform', label: 'Agency support' },
  { value: 'api_key', label: 'An API key' },
  { value: 'service', label: 'A service' },
  { value: 'ai', label: 'The receptionist (AI)' },
  { value: 'system', label: 'The system' },
  { value: 'webhook', label: 'A webhook' },
];
const actorLabel = (t: string) => ACTORS.find((a) => a.value === t)?.label ?? t;

interface Filters { actor_type: string; actor_id: string; action: string; target_type: string; from: string; to: string }
const NONE: Filters = { actor_type: '', actor_id: '', action: '', target_type: '', from: '', to: '' };

/** The API's query for the filters: dates are whole days in the business's zone. */
function query(f: Filters, cursor?: string | null): string {
  return qs({
    actor_type: f.actor_type, actor_id: f.actor_id.trim(), action: f.action.trim(), target_type: f.target_type.trim(),
    from: f.from ? instant(f.from, '00:00') : '', to: f.to ? instant(addDays(f.to, 1), '00:00') : '',
    limit: 25, cursor,
  });
}

/** Marks what the agency did while acting as the business. */
function Who({ r }: { r: AuditRow }) {
  if (r.on_behalf_of) {
    return <span>Agency support <Badge kind="warn">on behalf of the business</Badge></span>;
  }
  return <span>{actorLabel(r.actor_type)}{r.actor_id && <small class="audit-id"> {r.actor_id.slice(0, 8)}</small>}</span>;
}

export default function AuditPage() {
  const [f, setF] = useState<Filters>(NONE);
  const [applied, setApplied] = useState<Filters>(NONE);
  const [more, setMore] = useState<AuditRow[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [open, setOpen] = useState<string | null>(null);
  const list = useLoad(async (signal) => {
    const r = await api.get<Page<AuditRow>>(`/v1/admin/audit-log${query(applied)}`, { signal });
    setMore([]);
    setCursor(r.next_cursor);
    return r.items;
  }, [applied]);
  const set = (k: keyof Filters) => (v: string) => setF((o) => ({ ...o, [k]: v }));
  // A refused filter (400) names its field: shown there.
  const ferr = list.error instanceof ApiError ? list.error : null;

  async function loadMore() {
    if (!cursor) return;
    const r = await api.get<Page<AuditRow>>(`/v1/admin/audit-log${query(applied, cursor)}`);
    setMore((m) => [...m, ...r.items]);
    setCursor(r.next_cursor);
  }

  return (
    <section>
      <PageHeader title="Audit log" />
      <form class="card audit-filters" aria-label="Filter the audit log" onSubmit={(e) => { e.preventDefault(); setApplied(f); }}>
        <div class="row">
          <Select label="Who" name="actor_type" value={f.actor_type} onValue={set('actor_type')} options={ACTORS} error={ferr} />
          <TextField label="Action" name="action" value={f.action} onValue={set('action')} maxLength={100}
            hint="Exact, e.g. booking.created" error={ferr} />
          <TextField label="Record type" name="target_type" value={f.target_type} onValue={set('target_type')} maxLength={100}
            hint="E.g. booking, service, invitation" error={ferr} />
        </div>
        <div class="row">
          <TextField label="From" name="from" type="date" value={f.from} onValue={set('from')} error={ferr} />
          <TextField label="To" name="to" type="date" value={f.to} onValue={set('to')} min={f.from || undefined} error={ferr} />
          <TextField label="Actor id" name="actor_id" value={f.actor_id} onValue={set('actor_id')} maxLength={100} error={ferr} />
        </div>
        <div class="row">
          <button type="submit" class="primary">Apply filters</button>
          <button type="button" onClick={() => { setF(NONE); setApplied(NONE); }}>Clear</button>
        </div>
      </form>
      <p class="hint">Newest first. Dates and times in {zoneLabel()}.</p>
      <Async state={list}>
        {(items) => {
          const all = [...items, ...more];
          if (all.length === 0) return <Empty>No entries match these filters.</Empty>;
          return (
            <>
              <TableWrap label="Audit log entries">
                <table class="audit-table">
                  <caption class="visually-hidden">Audit log entries</caption>
                  <thead>
                    <tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Record</th><th scope="col"><span class="visually-hidden">Detail</span></th></tr>
                  </thead>
                  <tbody>
                    {all.map((r) => (
                      <tr key={r.id} class={r.on_behalf_of ? 'on-behalf' : undefined}>
                        <td>{dateTime(r.created_at)}</td>
                        <td><Who r={r} /></td>
                        <td><code>{r.action}</code></td>
                        <td>{r.target_type ?? '—'}</td>
                        <td><button type="button" class="link" onClick={() => setOpen(r.id)}
                          aria-label={`Details of ${r.action} at ${dateTime(r.created_at)}`}>Details</button></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
              <p class="hint">{all.length} shown.</p>
              {cursor && <p><button type="button" onClick={() => void loadMore()}>Show older entries</button></p>}
            </>
          );
        }}
      </Async>
      <Detail id={open} onClose={() => setOpen(null)} />
    </section>
  );
}

type FromTo = { from?: unknown; to?: unknown };
const isFromTo = (v: unknown): v is FromTo => !!v && typeof v === 'object' && !Array.isArray(v)
  && Object.keys(v).every((k) => k === 'from' || k === 'to') && Object.keys(v).length > 0;
const show = (v: unknown) => (v === undefined || v === null ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

/** Before and after per field where the changes say so; the rest as it is. */
function Changes({ changes }: { changes: unknown }) {
  if (changes === null || changes === undefined) return <p>No field changes recorded.</p>;
  if (typeof changes !== 'object' || Array.isArray(changes)) return <pre>{JSON.stringify(changes, null, 2)}</pre>;
  const entries = Object.entries(changes as Record<string, unknown>);
  const diffs = entries.filter(([, v]) => isFromTo(v)) as [string, FromTo][];
  const other = entries.filter(([, v]) => !isFromTo(v));
  return (
    <>
      {diffs.length > 0 && (
        <TableWrap label="Changed fields">
          <table>
            <caption class="visually-hidden">Changed fields</caption>
            <thead><tr><th scope="col">Field</th><th scope="col">Before</th><th scope="col">After</th></tr></thead>
            <tbody>
              {diffs.map(([k, v]) => <tr key={k}><th scope="row">{k}</th><td>{show(v.from)}</td><td>{show(v.to)}</td></tr>)}
            </tbody>
          </table>
        </TableWrap>
      )}
      {other.length > 0 && (
        <dl class="platform-dl">
          {other.map(([k, v]) => [<dt key={`${k}t`}>{k}</dt>, <dd key={`${k}d`}>{show(v)}</dd>])}
        </dl>
      )}
    </>
  );
}

function Detail({ id, onClose }: { id: string | null; onClose: () => void }) {
  return (
    <Dialog title="Audit entry" open={id !== null} onClose={onClose}>
      {id && <DetailBody id={id} />}
    </Dialog>
  );
}

function DetailBody({ id }: { id: string }) {
  const r = useLoad((signal) => api.get<AuditRow>(`/v1/admin/audit-log/${id}`, { signal }), [id]);
  return (
    <Async state={r}>
      {(a) => (
        <>
          {a.on_behalf_of && (
            <p class="warn">Done by the agency's support staff on behalf of the business, in a support session.</p>
          )}
          <dl class="platform-dl">
            <dt>When</dt><dd>{dateTime(a.created_at)} ({zoneLabel()})</dd>
            <dt>Who</dt><dd><Who r={a} /></dd>
            {a.actor_id && <><dt>Actor id</dt><dd><code>{a.actor_id}</code></dd></>}
            <dt>What</dt><dd>{auditWhat(a.action)} <code>{a.action}</code></dd>
            <dt>Record</dt><dd>{a.target_type ?? '—'} {a.target_id && <code>{a.target_id}</code>}</dd>
            {a.request_id && <><dt>Request</dt><dd><code>{a.request_id}</code></dd></>}
          </dl>
          <h3>Changes</h3>
          <Changes changes={a.changes} />
        </>
      )}
    </Async>
  );
}
