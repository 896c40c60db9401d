// inbox-transcript.tsx — one conversation as the desk reads it: who said
// what, and between the lines what the receptionist did (the tools it
// used, the times it offered, the bookings it made or changed), from the
// messages GET /v1/admin/conversations/{id} returns.
import { time, shortDate, dayOf } from '../format';

export interface Message {
  id: string;
  seq: number;
  role: 'user' | 'assistant' | 'tool' | 'system';
  author: 'customer' | 'ai' | 'human' | 'system';
  text?: string | null;
  created_at: string;
  tool_calls?: { id?: string; name?: string; arguments?: unknown }[] | null;
  tool_name?: string | null;
  tool_result?: Record<string, unknown> | null;
  interrupted?: boolean;
}

const TOOL_NAMES: Record<string, string> = {
  check_availability: 'Checked availability',
  hold_slot: 'Held a time',
  book_appointment: 'Booking',
  cancel_booking: 'Cancellation',
  reschedule_booking: 'Reschedule',
  get_booking: 'Looked up a booking',
  search_faqs: 'Searched the FAQs',
  get_services: 'Looked up the services',
  get_business_info: 'Looked up the business details',
  handoff_to_human: 'Handed to a person',
};

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** The one line a person needs about a tool step. */
function toolLine(name: string, r: Record<string, unknown> | null | undefined): { text: string; kind: string } {
  const title = TOOL_NAMES[name] ?? name;
  if (!r) return { text: title, kind: '' };
  if (r.error) return { text: `${title}: failed (${str(r.error)})`, kind: 'warn' };
  if (r.status === 'confirmation_required') return { text: `${title}: asked the customer to confirm`, kind: '' };
  if (name === 'check_availability' && Array.isArray(r.slots)) {
    const labels = (r.slots as Record<string, unknown>[]).map((s) => [str(s.label), str(s.staff)].filter(Boolean).join(' with '));
    return {
      text: labels.length ? `Offered ${str(r.service) || 'times'}: ${labels.join('; ')}` : `No free times found for ${str(r.service) || 'that'}`,
      kind: '',
    };
  }
  if (r.status === 'booked') {
    return { text: `Booking made: ${str(r.reference)} — ${[str(r.service), str(r.label), str(r.staff)].filter(Boolean).join(', ')}`, kind: 'ok' };
  }
  if (r.status === 'cancelled') return { text: `Booking cancelled: ${str(r.reference)}`, kind: 'ok' };
  if (r.status === 'rescheduled') return { text: `Booking moved: ${str(r.reference)}`, kind: 'ok' };
  if (r.status === 'handed_off') return { text: 'Handed the conversation to a person', kind: 'warn' };
  return { text: title, kind: '' };
}

const WHO: Record<string, string> = { customer: 'Customer', ai: 'Receptionist', human: 'Staff', system: 'System' };

export function Transcript({ messages }: { messages: Message[] }) {
  let lastDay = '';
  const out = [];
  for (const m of messages) {
    const day = dayOf(m.created_at);
    if (day !== lastDay) {
      out.push(<li key={`d${m.seq}`} class="t-day" aria-hidden="true">{shortDate(m.created_at)}</li>);
      lastDay = day;
    }
    if (m.role === 'tool') {
      const l = toolLine(m.tool_name ?? 'tool', m.tool_result);
      out.push(
        <li key={m.id} class={`t-tool ${l.kind}`}>
          <details>
            <summary><span class="t-label">Receptionist did:</span> {l.text}</summary>
            <pre>{JSON.stringify(m.tool_result ?? {}, null, 2)}</pre>
          </details>
        </li>,
      );
      continue;
    }
    if (!m.text) continue; // an assistant step that only called tools
    const cls = m.role === 'user' ? 'me' : m.author === 'human' ? 'human' : m.role === 'system' ? 'sys' : 'ai';
    out.push(
      <li key={m.id} class={`t-msg ${cls}`}>
        <span class="t-who">{WHO[m.author] ?? m.author}</span>
        <p>{m.text}{m.interrupted ? ' (cut off)' : ''}</p>
        <time dateTime={m.created_at}>{time(m.created_at)}</time>
      </li>,
    );
  }
  return out.length ? <ol class="transcript" aria-label="Transcript">{out}</ol> : <p class="hint">No messages yet.</p>;
}
