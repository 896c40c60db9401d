// waitlist.tsx — who is waiting for a time to free up, and what the
// waitlist brought back: "slots refilled" (bookings made from an offer and
// still standing) and the revenue they recovered. Lists entries newest
// first with a status filter; a waiting entry can be taken off the list
// by whoever may change bookings. The offers themselves go out on their
// own when a booking is cancelled or moved.
import { useState } from 'preact/hooks';
import { api, qs, type Page } from '../api';
import { Async, Badge, Empty, FormError, PageHeader, Select, confirmAction, say, useLoad, useSubmit } from '../ui';
import { can } from '../state';
import { dateTime, money, zoneLabel } from '../format';
import { TableWrap } from './platform-common';

interface Entry {
  id: string;
  service_name: string;
  day: string;
  part_of_day: 'any' | 'morning' | 'afternoon' | 'evening';
  customer: { name: string; email: string | null; phone: string | null };
  channel: 'email' | 'sms';
  status: 'waiting' | 'booked' | 'cancelled' | 'expired';
  created_at: string;
  offers: number;
}

interface Summary { waiting: number; slots_refilled: number; revenue_recovered_minor: number; currency: string | null }

const PARTS: Record<Entry['part_of_day'], string> = {
  any: 'any time', morning: 'morning', afternoon: 'afternoon', evening: 'evening',
};
// A calendar day as such (no zone can move it to the day before).
const dayWords = (day: string) => new Intl.DateTimeFormat(undefined,
  { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date(`${day}T12:00:00Z`));

// How offers reach them ("—" once their data was erased).
const reach = (e: Entry) => {
  const to = e.channel === 'sms' ? e.customer.phone : e.customer.email;
  return to ? `${e.channel === 'sms' ? 'text' : 'e-mail'} to ${to}` : '—';
};

const STATUS_WORDS: Record<Entry['status'], [string, string]> = {
  waiting: ['Waiting', ''],
  booked: ['Booked from an offer', 'ok'],
  cancelled: ['Left or removed', ''],
  expired: ['Day passed', ''],
};
const STATUSES = [
  { value: '', label: 'All' },
  { value: 'waiting', label: 'Waiting' },
  { value: 'booked', label: 'Booked' },
  { value: 'cancelled', label: 'Left or removed' },
  { value: 'expired', label: 'Day passed' },
];

function Totals() {
  const s = useLoad((signal) => api.get<Summary>('/v1/admin/waitlist/summary', { signal }), []);
  return (
    <Async state={s}>
      {(t) => (
        <div class="card" aria-label="What the waitlist brought back">
          <dl class="platform-dl waitlist-totals">
            <dt>Slots refilled</dt><dd data-testid="refilled">{t.slots_refilled}</dd>
            <dt>Revenue recovered</dt>
            <dd data-testid="revenue">{money(t.revenue_recovered_minor, t.currency ?? undefined)}</dd>
            <dt>Waiting now</dt><dd>{t.waiting}</dd>
          </dl>
        </div>
      )}
    </Async>
  );
}

export default function WaitlistPage() {
  const [status, setStatus] = useState('');
  const remove = useSubmit();
  const list = useLoad((signal) => api.get<Page<Entry>>(`/v1/admin/waitlist${qs({ status })}`, { signal })
    .then((r) => r.items), [status]);
  const mayRemove = can('bookings', 'write');
  const showTotals = can('analytics', 'read');

  async function takeOff(e: Entry) {
    if (!confirmAction(`Take ${e.customer.name} off the waitlist for ${dayWords(e.day)}?`)) return;
    const ok = await remove.run(async () => { await api.del(`/v1/admin/waitlist/${e.id}`); return true; });
    if (ok) {
      say(`${e.customer.name} is off the waitlist.`);
      list.reload();
    }
  }

  return (
    <section>
      <PageHeader title="Waitlist" />
      {showTotals && <Totals />}
      <form class="card audit-filters" aria-label="Filter the waitlist" onSubmit={(ev) => ev.preventDefault()}>
        <div class="row">
          <Select label="Status" name="status" value={status} onValue={setStatus} options={STATUSES} />
        </div>
      </form>
      <p class="hint">Newest first. When a booking is cancelled or moved, its time is offered to the people
        waiting for that service and day, one at a time in the order they joined, each for 30 minutes; the first
        to confirm gets it. Times in {zoneLabel()}.</p>
      <FormError error={remove.error} />
      <Async state={list}>
        {(items) => items.length === 0 ? <Empty>Nobody is on the waitlist{status ? ' with this status' : ''}.</Empty> : (
          <TableWrap label="Waitlist">
            <table class="waitlist-table">
              <caption class="visually-hidden">Waitlist</caption>
              <thead>
                <tr><th scope="col">Customer</th><th scope="col">Service</th><th scope="col">Day</th>
                  <th scope="col">Tell them by</th><th scope="col">Status</th><th scope="col">Offers</th>
                  <th scope="col">Joined</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
              </thead>
              <tbody>
                {items.map((e) => {
                  const [words, kind] = STATUS_WORDS[e.status] ?? [e.status, ''];
                  return (
                    <tr key={e.id} data-status={e.status}>
                      <th scope="row">{e.customer.name}</th>
                      <td>{e.service_name}</td>
                      <td>{dayWords(e.day)}, {PARTS[e.part_of_day]}</td>
                      <td>{reach(e)}</td>
                      <td><Badge kind={kind}>{words}</Badge></td>
                      <td>{e.offers}</td>
                      <td>{dateTime(e.created_at)}</td>
                      <td>{mayRemove && e.status === 'waiting' && (
                        <button type="button" disabled={remove.busy} onClick={() => void takeOff(e)}
                          aria-label={`Remove ${e.customer.name} from the waitlist`}>Remove</button>
                      )}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableWrap>
        )}
      </Async>
    </section>
  );
}
