// brand-calendars.tsx — calendar connections on the Brand and channels
// page: the connected calendars with their state, Google (the browser goes
// to Google's consent page and comes back), Cal.com with the business's own
// API key (write-only: sent once, never shown again), disconnect, and the
// bookings whose sync needs attention.
import { useState } from 'preact/hooks';
import { api } from '../api';
import { dateTime, zoneLabel } from '../format';
import { Async, Badge, Can, Dialog, Empty, FormError, TextField, confirmAction, say, useLoad, useSubmit } from '../ui';

interface Connection {
  id: string; provider: 'google' | 'calcom'; staff_id: string | null; calendar_id: string | null;
  event_type_id: number | null; status: 'active' | 'error'; last_error: string | null; created_at: string;
  webhook_url?: string;
}
interface Sync {
  booking_id: string; reference: string; provider: string; state: string; last_error: string | null;
  needs_review: boolean; updated_at: string;
}

function CalcomForm({ onDone }: { onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [key, setKey] = useState('');
  const [eventType, setEventType] = useState('');
  const s = useSubmit();
  return (
    <>
      <button type="button" onClick={() => { setOpen(true); setKey(''); setEventType(''); s.setError(null); }}>Connect Cal.com</button>
      <Dialog title="Connect Cal.com" open={open} onClose={() => setOpen(false)}>
        <form onSubmit={(e) => {
          e.preventDefault();
          void s.run(async () => {
            await api.post('/v1/admin/calendar/calcom', { api_key: key.trim(), event_type_id: Number(eventType) });
            setKey('');
            setOpen(false);
            say('Cal.com is connected.');
            onDone();
          });
        }}>
          <TextField label="Cal.com API key" name="api_key" type="password" value={key} onValue={setKey} error={s.error}
            required minLength={8} maxLength={512} autoComplete="off"
            hint="From Cal.com → Settings → Developer → API keys. Stored encrypted and never shown again." />
          <TextField label="Event type ID" name="event_type_id" type="number" value={eventType} onValue={setEventType}
            error={s.error} required min={1} inputMode="numeric" hint="The number in the event type's address." />
          <FormError error={s.error?.field('api_key') || s.error?.field('event_type_id') ? null : s.error} />
          <button type="submit" class="primary" disabled={s.busy}>Connect</button>
        </form>
      </Dialog>
    </>
  );
}

export function Calendars() {
  const list = useLoad(() => api.get<{ items: Connection[] }>('/v1/admin/calendar/connections'));
  const sync = useLoad(() => api.get<{ items: Sync[] }>('/v1/admin/calendar/sync-status'));
  const g = useSubmit();
  const del = useSubmit();
  return (
    <section class="card" aria-labelledby="cal-h">
      <h2 id="cal-h">Calendars</h2>
      <p class="hint">Connected calendars keep bookings and busy times in step both ways.</p>
      <Can resource="channels">
        <div class="row">
          <button type="button" disabled={g.busy} onClick={() => void g.run(async () => {
            const r = await api.post<{ authorize_url: string }>('/v1/admin/calendar/google/authorize', { calendar_id: 'primary' });
            location.assign(r.authorize_url);
          })}>Connect Google Calendar</button>
          <CalcomForm onDone={list.reload} />
        </div>
        <FormError error={g.error} />
        <FormError error={del.error} />
      </Can>
      <Async state={list}>{(d) => d.items.length === 0 ? <Empty>No calendar connected.</Empty> : (
        <ul class="plain-list connections">{d.items.map((c) => (
          <li key={c.id}>
            <div>
              <strong>{c.provider === 'google' ? 'Google Calendar' : 'Cal.com'}</strong>{' '}
              {c.provider === 'google' ? <span>{c.calendar_id}</span> : <span>event type {c.event_type_id}</span>}
              {c.staff_id ? <span class="hint"> · one staff member</span> : <span class="hint"> · whole business</span>}
              {c.status === 'active' ? <Badge kind="ok">active</Badge> : <Badge kind="alert">error</Badge>}
              {c.last_error && <p class="hint">Last error: {c.last_error}</p>}
            </div>
            <Can resource="channels">
              <button type="button" class="danger" disabled={del.busy} aria-label={`Disconnect ${c.provider === 'google' ? 'Google Calendar' : 'Cal.com'} ${c.calendar_id ?? c.event_type_id}`}
                onClick={() => {
                  if (!confirmAction('Disconnect this calendar? Bookings stop syncing to it.')) return;
                  void del.run(async () => {
                    await api.del(`/v1/admin/calendar/connections/${c.id}`);
                    say('Calendar disconnected.');
                    list.reload();
                  });
                }}>Disconnect</button>
            </Can>
          </li>
        ))}</ul>
      )}</Async>
      <h3>Sync</h3>
      <Async state={sync}>{(d) => d.items.length === 0 ? <p class="ok sync-ok">Everything is in sync.</p> : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Bookings to check">
          <table>
            <caption class="hint">Bookings whose calendar sync needs attention (times in {zoneLabel()})</caption>
            <thead><tr><th scope="col">Booking</th><th scope="col">Calendar</th><th scope="col">State</th><th scope="col">Updated</th></tr></thead>
            <tbody>{d.items.map((x) => (
              <tr key={`${x.booking_id}-${x.provider}`}>
                <td><a href={`/admin/bookings/${x.booking_id}`}>{x.reference}</a></td>
                <td>{x.provider}</td>
                <td>{x.state}{x.needs_review && <Badge kind="warn">review</Badge>}{x.last_error && <div class="hint">{x.last_error}</div>}</td>
                <td>{dateTime(x.updated_at)}</td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      )}</Async>
    </section>
  );
}
