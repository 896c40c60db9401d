// messages.tsx — everything the business sent or will send: e-mails and
// texts to customers and the team, with their status, attempts and the
// provider's last word, newest first. Filters by status (all, failed and
// dead, queued) and channel. A failed, dead or stuck ("sending") message
// can be sent again by whoever may manage the team (users:write); the row
// says what happened in words, not in template names.
import { useState } from 'preact/hooks';
import { api, qs, type Page } from '../api';
import { Async, Badge, Empty, FormError, PageHeader, Select, say, useLoad, useSubmit } from '../ui';
import { can } from '../state';
import { dateTime, zoneLabel } from '../format';
import { TableWrap } from './platform-common';

interface Message {
  id: string;
  channel: 'email' | 'sms';
  recipient: string;
  template: string;
  status: string;
  attempts: number;
  last_error: string | null;
  provider_id: string | null;
  created_at: string;
  sent_at: string | null;
  next_attempt_at: string | null;
  updated_at: string;
}

const TEMPLATES: Record<string, string> = {
  'auth.invitation': 'Team invitation',
  'auth.password_reset': 'Password reset',
  'booking.confirmed': 'Booking confirmation to the customer',
  'booking.rescheduled': 'Booking moved, to the customer',
  'booking.cancelled': 'Booking cancelled, to the customer',
  'booking.reminder': 'Reminder to the customer',
  'booking.alert_new': 'New booking alert',
  'booking.alert_cancelled': 'Cancellation alert',
  'ai.handoff': 'Conversation waiting for a person',
  'waitlist.offer': 'Waitlist: a time opened up',
  'waitlist.gone': 'Waitlist: the time went to someone else',
};
export const templateWords = (t: string) => TEMPLATES[t] ?? t;

const STATUS_WORDS: Record<string, [string, string]> = {
  queued: ['Waiting to send', ''],
  sending: ['Being sent (or stuck)', 'warn'],
  sent: ['Sent', 'ok'],
  delivered: ['Delivered', 'ok'],
  failed: ['Failed', 'alert'],
  bounced: ['Bounced: the address was refused', 'alert'],
  dead: ['Gave up after retries', 'alert'],
  suppressed: ['Not sent (opted out, bounced before, or not allowed)', ''],
  cancelled: ['Cancelled', ''],
};
const RETRYABLE = new Set(['failed', 'dead', 'bounced', 'sending']);

const STATUSES = [
  { value: '', label: 'All' },
  { value: 'failed', label: 'Failed and dead' },
  { value: 'bounced', label: 'Bounced' },
  { value: 'queued', label: 'Waiting to send' },
  { value: 'sent', label: 'Sent' },
];
const CHANNELS = [
  { value: '', label: 'E-mail and text' },
  { value: 'email', label: 'E-mail' },
  { value: 'sms', label: 'Text (SMS)' },
];

interface Filters { status: string; channel: string }

export default function MessagesPage() {
  const [f, setF] = useState<Filters>({ status: '', channel: '' });
  const [more, setMore] = useState<Message[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const retry = useSubmit();
  const query = (c?: string | null) => qs({ status: f.status, channel: f.channel, limit: 25, cursor: c });
  const list = useLoad(async (signal) => {
    const r = await api.get<Page<Message>>(`/v1/admin/messages${query()}`, { signal });
    setMore([]);
    setCursor(r.next_cursor);
    return r.items;
  }, [f.status, f.channel]);
  const mayRetry = can('users', 'write');

  async function loadMore() {
    if (!cursor) return;
    const r = await api.get<Page<Message>>(`/v1/admin/messages${query(cursor)}`);
    setMore((m) => [...m, ...r.items]);
    setCursor(r.next_cursor);
  }

  async function sendAgain(m: Message) {
    const r = await retry.run(() => api.post<Message>(`/v1/admin/messages/${m.id}/retry`, {}));
    if (r) {
      say(`${templateWords(m.template)} to ${m.recipient} will be sent again.`);
      list.reload();
    }
  }

  return (
    <section>
      <PageHeader title="Messages" />
      <form class="card audit-filters" aria-label="Filter the messages" onSubmit={(e) => e.preventDefault()}>
        <div class="row">
          <Select label="Status" name="status" value={f.status} onValue={(v) => setF((o) => ({ ...o, status: v }))} options={STATUSES} />
          <Select label="Channel" name="channel" value={f.channel} onValue={(v) => setF((o) => ({ ...o, channel: v }))} options={CHANNELS} />
        </div>
      </form>
      <p class="hint">Newest first. Times in {zoneLabel()}. A message that failed for a passing reason is tried
        again on its own (after about 1 minute, 5 minutes, 15 minutes, 1 hour…).</p>
      <FormError error={retry.error} />
      <Async state={list}>
        {(items) => {
          const all = [...items, ...more];
          if (all.length === 0) return <Empty>No messages match these filters.</Empty>;
          return (
            <>
              <TableWrap label="Messages">
                <table class="messages-table">
                  <caption class="visually-hidden">Messages</caption>
                  <thead>
                    <tr><th scope="col">Created</th><th scope="col">To</th><th scope="col">What</th>
                      <th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last error</th>
                      <th scope="col">Sent</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
                  </thead>
                  <tbody>
                    {all.map((m) => {
                      const [words, kind] = STATUS_WORDS[m.status] ?? [m.status, ''];
                      return (
                        <tr key={m.id} data-status={m.status}>
                          <td>{dateTime(m.created_at)}</td>
                          <td>{m.recipient} <small>({m.channel === 'sms' ? 'text' : 'e-mail'})</small></td>
                          <td>{templateWords(m.template)}</td>
                          <td><Badge kind={kind}>{words}</Badge>
                            {m.status === 'queued' && m.next_attempt_at && <small> next try {dateTime(m.next_attempt_at)}</small>}</td>
                          <td>{m.attempts}</td>
                          <td>{m.last_error ?? '—'}</td>
                          <td>{m.sent_at ? dateTime(m.sent_at) : '—'}</td>
                          <td>{mayRetry && RETRYABLE.has(m.status) && (
                            <button type="button" disabled={retry.busy} onClick={() => void sendAgain(m)}
                              aria-label={`Send again: ${templateWords(m.template)} to ${m.recipient}`}>Send again</button>
                          )}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </TableWrap>
              <p class="hint">{all.length} shown.</p>
              {cursor && <p><button type="button" onClick={() => void loadMore()}>Show older messages</button></p>}
            </>
          );
        }}
      </Async>
    </section>
  );
}
