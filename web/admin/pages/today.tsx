// today.tsx — the desk's start page: the day's agenda per staff member
// (or, for someone who sees only their own schedule, "Your day"), what
// needs attention (handoffs waiting, bookings to review after a calendar
// conflict, messages that failed), and quick actions. Booking events
// reload the agenda in place.
import { useEffect, useState } from 'preact/hooks';
import { api, type Page } from '../api';
import { can, shell } from '../state';
import { addDays, instant, longDate, time, today, zoneLabel } from '../format';
import { Async, Badge, Empty, PageHeader, useLoad } from '../ui';
import {
  type Booking, type Service, STATUS_KIND, STATUS_WORDS, columns, loadRange, loadServices, loadStaff, ownOnly,
  useLiveReload,
} from './desk-data';
import { NewBookingDialog } from './desk-form';
import { waitingHandoffs } from '../live';

interface Attention {
  review: Booking[];
  failed: number | null;
}

async function attention(signal: AbortSignal): Promise<Attention> {
  const now = new Date().toISOString();
  const [r, o] = await Promise.all([
    api.get<Page<Booking>>(`/v1/admin/bookings?needs_review=true&from=${encodeURIComponent(now)}&limit=20`, { signal })
      .then((p) => p.items.filter((b) => b.status !== 'CANCELLED')),
    can('users', 'read')
      ? api.get<Page<{ status: string }>>('/v1/admin/messages?status=failed&limit=100', { signal })
        .then((p) => p.items.length)
      : Promise.resolve(null),
  ]);
  return { review: r, failed: o };
}

export default function Today() {
  const day = today();
  const b = shell.base;
  // The shell keeps the count live (the navigation's badge).
  const waiting = waitingHandoffs.value;
  const meta = useLoad(async (signal) => {
    const [staff, services] = await Promise.all([loadStaff(signal),
      can('bookings', 'write') ? loadServices(signal) : Promise.resolve([] as Service[])]);
    return { staff, services };
  }, []);
  const agenda = useLoad((signal) => loadRange(instant(day, '00:00'), instant(addDays(day, 1), '00:00'), signal), [day]);
  const att = useLoad(attention, []);
  useLiveReload(() => { agenda.reload(); att.reload(); });
  useLiveReload(() => att.reload(), 'handoff.*');
  const [creating, setCreating] = useState(false);
  // Everything the page loads is shown (bench/admin.mjs reads the mark).
  const ready = !!(meta.data && agenda.data && att.data);
  useEffect(() => { if (ready) performance.mark?.('rcp-today-ready'); }, [ready]);
  const mine = meta.data ? ownOnly(meta.data.staff) : false;

  return (
    <section class="desk today">
      <PageHeader title="Today">
        {can('bookings', 'write') && meta.data && (
          <button type="button" class="primary" onClick={() => setCreating(true)}>New booking</button>
        )}
        {can('conversations', 'read') && <a class="button" href={`${b}inbox`}>Open inbox</a>}
        <a class="button" href={`${b}calendar`}>Calendar</a>
      </PageHeader>
      <p class="hint">{longDate(`${day}T12:00:00Z`)} · Times in {zoneLabel()}</p>

      {!mine && (
        <section class="card attention" aria-labelledby="att-h">
          <h2 id="att-h">Needs attention</h2>
          <Async state={att}>
            {(a) => (
              <ul class="plain att-list">
                {can('conversations', 'read') && (
                  <li>
                    <Badge kind={waiting ? 'alert' : 'ok'}>{waiting}</Badge>{' '}
                    {waiting === 1 ? 'conversation is' : 'conversations are'} waiting for a person.{' '}
                    {waiting > 0 && <a href={`${b}inbox`}>Go to the inbox</a>}
                  </li>
                )}
                <li>
                  <Badge kind={a.review.length ? 'warn' : 'ok'}>{a.review.length}</Badge>{' '}
                  {a.review.length === 1 ? 'booking needs' : 'bookings need'} review after a calendar conflict.
                  {a.review.length > 0 && (
                    <ul>
                      {a.review.map((x) => (
                        <li key={x.id}><a href={`${b}bookings/${x.id}`}>{x.reference}</a> — {x.customer.name}, {longDate(x.start)} {time(x.start)}</li>
                      ))}
                    </ul>
                  )}
                </li>
                {a.failed !== null && (
                  <li>
                    <Badge kind={a.failed ? 'alert' : 'ok'}>{a.failed}</Badge>{' '}
                    {a.failed === 1 ? 'message' : 'messages'} failed to send.{' '}
                    {a.failed > 0 && <a href={`${b}messages`}>See messages</a>}
                  </li>
                )}
              </ul>
            )}
          </Async>
        </section>
      )}

      <h2>{mine ? 'Your day' : 'Agenda'}</h2>
      <Async state={meta}>
        {(m) => (
          <Async state={agenda}>
            {(rows) => {
              const live = rows.filter((x) => x.status !== 'CANCELLED');
              const cols = columns(m.staff, live);
              if (live.length === 0) return <Empty>No bookings today{mine ? ' for you' : ''}.</Empty>;
              return (
                <div class="grid agenda">
                  {cols.map((c) => {
                    const items = live.flatMap((x) => x.services.filter((it) => it.staff_id === c.id)
                      .map((it) => ({ x, it })));
                    return (
                      <section key={c.id} class="card" aria-labelledby={`ag-${c.id}`}>
                        <h3 id={`ag-${c.id}`}>{c.name}</h3>
                        {items.length === 0 ? <p class="hint">Nothing booked.</p> : (
                          <ol class="plain agenda-list">
                            {items.map(({ x, it }) => (
                              <li key={`${x.id}-${it.start}`}>
                                <span class="when">{time(it.start)}–{time(it.end)}</span>{' '}
                                <a href={`${b}bookings/${x.id}`}>{it.name} · {x.customer.name}</a>{' '}
                                <Badge kind={STATUS_KIND[x.status]}>{STATUS_WORDS[x.status]}</Badge>
                                {x.needs_review && <Badge kind="warn">Needs review</Badge>}
                              </li>
                            ))}
                          </ol>
                        )}
                      </section>
                    );
                  })}
                </div>
              );
            }}
          </Async>
        )}
      </Async>
      {meta.data && (
        <NewBookingDialog open={creating} onClose={() => setCreating(false)} onDone={() => agenda.reload()}
          services={meta.data.services} staff={meta.data.staff} day={day} />
      )}
    </section>
  );
}
