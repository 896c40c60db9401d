// receptionist-try.tsx — "try it": a chat with the business's own
// receptionist through the same public API the website widget uses
// (POST /v1/chat/session, /v1/chat/message on this host: the tenant's own
// host is always an allowed origin). The conversation is real — it books
// for real and shows in the inbox, marked as a test.
import { useRef, useState } from 'preact/hooks';

interface Line { who: 'me' | 'bot' | 'note'; text: string }
interface Slot { label: string; start: string }

async function chat<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(path, {
    method: 'POST', credentials: 'omit',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  const j = await res.json().catch(() => null);
  if (!res.ok) throw new Error(j?.error?.message || `The chat answered ${res.status}.`);
  return j as T;
}

export function TryIt() {
  const [session, setSession] = useState<string | null>(null);
  const [log, setLog] = useState<Line[]>([]);
  const [slots, setSlots] = useState<Slot[]>([]);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const listRef = useRef<HTMLOListElement>(null);
  const add = (l: Line) => {
    setLog((x) => [...x, l]);
    requestAnimationFrame(() => listRef.current?.lastElementChild?.scrollIntoView({ block: 'nearest' }));
  };

  const send = async (message: string) => {
    message = message.trim();
    if (!message || busy) return;
    setBusy(true);
    setSlots([]);
    add({ who: 'me', text: message });
    setText('');
    try {
      let sid = session;
      if (!sid) {
        const s = await chat<{ session_id: string; greeting?: string }>('/v1/chat/session', { test: true });
        sid = s.session_id;
        setSession(sid);
      }
      const r = await chat<{ message: { text: string } | null; slots: Slot[]; handed_off: boolean }>(
        '/v1/chat/message', { session_id: sid, message });
      if (r.message?.text) add({ who: 'bot', text: r.message.text });
      if (r.handed_off) add({ who: 'note', text: 'Handed to a person: it waits in the inbox.' });
      setSlots(r.slots ?? []);
    } catch (e) {
      add({ who: 'note', text: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };

  const restart = () => { setSession(null); setLog([]); setSlots([]); };

  return (
    <section class="card try" aria-labelledby="try-h">
      <h2 id="try-h">Try it</h2>
      <p class="hint">Chat with your receptionist as a customer would. This is a real conversation: it can book for real, and it shows in the inbox marked “Test”.</p>
      <ol class="try-log" ref={listRef} aria-live="polite" aria-label="Test conversation">
        {log.map((l, i) => (
          <li key={i} class={`t-msg ${l.who === 'me' ? 'me' : l.who === 'bot' ? 'ai' : 'sys'}`}>
            <span class="t-who">{l.who === 'me' ? 'You' : l.who === 'bot' ? 'Receptionist' : 'Note'}</span>
            <p>{l.text}</p>
          </li>
        ))}
      </ol>
      {slots.length > 0 && (
        <div class="row try-slots" role="group" aria-label="Offered times">
          {slots.map((s) => <button key={s.start} type="button" onClick={() => void send(s.label)}>{s.label}</button>)}
        </div>
      )}
      <form class="row" onSubmit={(e) => { e.preventDefault(); void send(text); }}>
        <div class="field">
          <label for="try-text">Your message</label>
          <input id="try-text" maxLength={2000} value={text} autoComplete="off" placeholder="Can I book a haircut tomorrow?"
            onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        </div>
        <button type="submit" class="primary" disabled={busy || !text.trim()}>{busy ? 'Waiting…' : 'Send'}</button>
        {session && <button type="button" onClick={restart}>Start over</button>}
      </form>
    </section>
  );
}
