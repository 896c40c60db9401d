// inbox.tsx — the business's conversations: the handoff queue first (the
// customers waiting for a person), then everything else, kept live by the
// event stream; one conversation's transcript with what the receptionist
// did (tools, offered times, bookings made), and the desk's actions: take
// over, reply as a person, hand back to the receptionist, close.
// Routes: inbox, inbox/:id and conversations/:id (push notification links).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, qs, type Page } from '../api';
import { subscribe, type LiveEvent } from '../live';
import { can, me, shell } from '../state';
import { ago, dateTime, zoneLabel } from '../format';
import { Async, Badge, Dialog, Empty, ErrorState, FormError, Loading, PageHeader, say, Select, useLoad, useSubmit } from '../ui';
import { Transcript, type Message } from './inbox-transcript';
import { channelName, isWaiting, StatusBadge, TestBadge, type ConvSummary } from './inbox-common';

interface Conversation extends ConvSummary {
  contact?: { name?: string; email?: string; phone?: string } | null;
  closed_at?: string | null;
  messages: Message[];
}

/** A burst of events (a turn writes several rows) becomes one reload;
 * `only` picks the events that matter ("resync" always does). */
function useLive(patterns: string[], fn: () => void, deps: unknown[], only?: (e: LiveEvent) => boolean) {
  const timer = useRef(0);
  useEffect(() => {
    const kick = (e: LiveEvent) => {
      if (only && e.kind !== 'resync' && !only(e)) return;
      clearTimeout(timer.current);
      timer.current = window.setTimeout(fn, 40);
    };
    const offs = patterns.map((p) => subscribe(p, kick));
    return () => { clearTimeout(timer.current); offs.forEach((o) => o()); };
  }, deps);
}

/* ---- the list ------------------------------------------------------------- */

type Filter = '' | 'ACTIVE' | 'HANDED_OFF' | 'CLOSED';

interface Lists { queue: ConvSummary[]; rest: ConvSummary[]; next: string | null }

function Row({ c, current }: { c: ConvSummary; current: boolean }) {
  const who = c.customer_name || 'Visitor';
  return (
    <li class={`conv ${isWaiting(c) ? 'waiting' : ''}`}>
      <a href={`${shell.base}inbox/${c.id}`} aria-current={current ? 'page' : undefined}>
        <span class="conv-top">
          <strong>{who}</strong>
          <time dateTime={c.last_activity_at} title={dateTime(c.last_activity_at)}>{ago(c.last_activity_at)}</time>
        </span>
        <span class="conv-meta">{channelName(c.channel)} <StatusBadge status={c.status} claimed={c.claimed_by} /> <TestBadge test={c.test} /></span>
        <span class="conv-preview">{c.last_message || c.summary || 'No messages yet'}</span>
      </a>
    </li>
  );
}

function ConversationList({ current }: { current?: string }) {
  const [filter, setFilter] = useState<Filter>('');
  const [more, setMore] = useState<ConvSummary[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const state = useLoad<Lists>(async (signal) => {
    const [q, r] = await Promise.all([
      filter === '' ? api.get<Page<ConvSummary>>('/v1/admin/conversations?waiting=true&limit=100', { signal })
        : Promise.resolve({ items: [] as ConvSummary[], next_cursor: null }),
      api.get<Page<ConvSummary>>(`/v1/admin/conversations${qs({ status: filter || undefined, limit: 30 })}`, { signal }),
    ]);
    setMore([]);
    setNext(r.next_cursor ?? null);
    return { queue: q.items, rest: r.items.filter((c) => !isWaiting(c) || filter !== ''), next: r.next_cursor ?? null };
  }, [filter]);
  useLive(['conversation.*', 'handoff.*'], state.reload, [filter]);

  const loadMore = async () => {
    if (!next) return;
    setLoadingMore(true);
    try {
      const r = await api.get<Page<ConvSummary>>(`/v1/admin/conversations${qs({ status: filter || undefined, limit: 30, cursor: next })}`);
      setMore((m) => [...m, ...r.items.filter((c) => !isWaiting(c) || filter !== '')]);
      setNext(r.next_cursor ?? null);
    } catch (e) {
      say(e instanceof ApiError ? e.message : 'Could not load more.', 'error');
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <section class="inbox-list" aria-label="Conversations">
      <Select label="Show" name="status" value={filter} onValue={(v) => setFilter(v as Filter)}
        options={[{ value: '', label: 'All, people waiting first' }, { value: 'ACTIVE', label: 'Receptionist answering' },
          { value: 'HANDED_OFF', label: 'Handed to a person' }, { value: 'CLOSED', label: 'Closed' }]} />
      <Async state={state}>{(d) => (
        <>
          {filter === '' && (
            <>
              <h2 id="queue-h">
                Waiting for a person <Badge kind={d.queue.length ? 'alert' : ''}>{d.queue.length}</Badge>
              </h2>
              {d.queue.length === 0 ? <p class="hint">Nobody is waiting.</p> : (
                <ul class="convs" aria-labelledby="queue-h">
                  {d.queue.map((c) => <Row key={c.id} c={c} current={c.id === current} />)}
                </ul>
              )}
              <h2 id="rest-h">Other conversations</h2>
            </>
          )}
          {d.rest.length + more.length === 0 ? <Empty>No conversations yet.</Empty> : (
            <ul class="convs" aria-labelledby={filter === '' ? 'rest-h' : undefined} aria-label={filter === '' ? undefined : 'Conversations'}>
              {[...d.rest, ...more].map((c) => <Row key={c.id} c={c} current={c.id === current} />)}
            </ul>
          )}
          {next && (
            <button type="button" onClick={() => void loadMore()} disabled={loadingMore}>
              {loadingMore ? 'Loading…' : 'Show older'}
            </button>
          )}
        </>
      )}</Async>
    </section>
  );
}

/* ---- one conversation ----------------------------------------------------- */

function Reply({ id, onSent }: { id: string; onSent: () => void }) {
  const [text, setText] = useState('');
  const s = useSubmit();
  const send = async (e: Event) => {
    e.preventDefault();
    const ok = await s.run(() => api.post(`/v1/admin/conversations/${id}/reply`, { text }));
    if (ok !== undefined) {
      setText('');
      say('Reply sent.');
      onSent();
    }
  };
  const err = s.error?.field('text');
  return (
    <form class="reply" onSubmit={send}>
      <label for="reply-text">Reply as a person</label>
      <textarea id="reply-text" name="text" rows={3} maxLength={4000} required value={text}
        aria-invalid={err ? true : undefined} aria-describedby={err ? 'reply-err' : 'reply-hint'}
        onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send(e); }} />
      {err ? <small id="reply-err" class="field-error">{err}</small>
        : <small id="reply-hint" class="hint">The customer sees it in their chat. Replying takes the conversation over: the receptionist stays quiet until you hand it back. Ctrl+Enter sends.</small>}
      {s.error && !err && <FormError error={s.error} />}
      <button type="submit" class="primary" disabled={s.busy || !text.trim()}>{s.busy ? 'Sending…' : 'Send reply'}</button>
    </form>
  );
}

function ConversationView({ id }: { id: string }) {
  const state = useLoad<Conversation>((signal) => api.get<Conversation>(`/v1/admin/conversations/${id}`, { signal }), [id]);
  const act = useSubmit();
  const [closing, setClosing] = useState(false);
  useLive(['conversation.*', 'handoff.*'], () => state.reload(), [id], (e) => e.data.conversation_id === id);

  const change = async (what: 'takeover' | 'handback' | 'close', done: string) => {
    const c = await act.run(() => api.post<Conversation>(`/v1/admin/conversations/${id}/${what}`, {}));
    if (c) {
      state.set(c);
      say(done);
    }
    setClosing(false);
  };

  if (state.error && !state.data) {
    return (state.error as ApiError).status === 404
      ? <Empty>This conversation does not exist (or was erased). <a href={`${shell.base}inbox`}>Back to the inbox</a></Empty>
      : <ErrorState error={state.error} retry={state.reload} />;
  }
  if (!state.data) return <Loading />;
  const c = state.data;
  const write = can('conversations', 'write');
  const who = c.customer_name || c.contact?.name || 'Visitor';
  return (
    <article class="conversation" aria-labelledby="conv-h">
      <header class="conv-head">
        <h2 id="conv-h">{who}</h2>
        <p class="conv-meta">
          {channelName(c.channel)} <StatusBadge status={c.status} claimed={c.claimed_by} /> <TestBadge test={c.test} />
          {c.test && <span class="hint"> (started from “Try it” on the Receptionist page)</span>}
          {c.customer_id && can('customers', 'read') && <> · <a href={`${shell.base}customers/${c.customer_id}`}>Customer record</a></>}
        </p>
        {(c.contact?.email || c.contact?.phone) && (
          <p class="hint">{[c.contact?.email, c.contact?.phone].filter(Boolean).join(' · ')}</p>
        )}
        {c.status === 'HANDED_OFF' && c.handoff_reason && (
          <p class="warn">Handed to a person{c.handed_off_at ? ` ${ago(c.handed_off_at)}` : ''}: {c.handoff_reason}</p>
        )}
        {c.status === 'HANDED_OFF' && c.claimed_by && (
          <p class="hint">{c.claimed_by.id === me.value?.user.id ? 'You have' : `${c.claimed_by.name || 'Someone of the business'} has`} this
            conversation (since {ago(c.claimed_by.at)}).</p>
        )}
        {write && c.status !== 'CLOSED' && (
          <div class="row conv-actions">
            {(c.status === 'ACTIVE' || isWaiting(c)) && (
              <button type="button" disabled={act.busy} onClick={() => void change('takeover', 'You have taken over this conversation.')}>Take over</button>
            )}
            {c.status === 'HANDED_OFF' && (
              <button type="button" disabled={act.busy} onClick={() => void change('handback', 'The receptionist answers again.')}>Hand back to the receptionist</button>
            )}
            <button type="button" class="danger" disabled={act.busy} onClick={() => setClosing(true)}>Close conversation</button>
          </div>
        )}
        <FormError error={act.error} />
      </header>
      <p class="hint">Times in {zoneLabel()}.</p>
      <Transcript messages={c.messages} />
      {write && c.status !== 'CLOSED' && <Reply id={id} onSent={state.reload} />}
      {c.status === 'CLOSED' && <p class="hint">Closed{c.closed_at ? ` ${dateTime(c.closed_at)}` : ''}. The customer's next message starts a new conversation.</p>}
      <Dialog title="Close this conversation?" open={closing} onClose={() => setClosing(false)}>
        <p>The customer's chat ends; if they write again, a new conversation starts.</p>
        <div class="row">
          <button type="button" class="danger" onClick={() => void change('close', 'Conversation closed.')}>Close it</button>
          <button type="button" onClick={() => setClosing(false)}>Keep it open</button>
        </div>
      </Dialog>
    </article>
  );
}

export default function InboxPage({ id }: { id?: string }) {
  return (
    <div class={`inbox ${id ? 'has-open' : ''}`}>
      <PageHeader title={id ? 'Conversation' : 'Inbox'}>
        {id && <a class="button inbox-back" href={`${shell.base}inbox`}>All conversations</a>}
      </PageHeader>
      <div class="inbox-panes">
        <ConversationList current={id} />
        <div class="inbox-main">
          {id ? <ConversationView key={id} id={id} /> : <p class="hint inbox-pick">Choose a conversation to read it.</p>}
        </div>
      </div>
    </div>
  );
}
