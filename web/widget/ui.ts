// ui.ts — the chat panel, imported by the loader on first open. Talks to
// POST /v1/chat/session and POST /v1/chat/stream (Server-Sent Events:
// delta, tool, slots, message, done, error), keeps the conversation per
// tenant in localStorage so it survives page loads, retries with backoff
// when the network drops, and stays usable with the keyboard alone (focus
// trapped in the dialog while open and returned to the launcher on close;
// finished replies announced through a live region). While a person of
// the business has the conversation, it polls POST /v1/chat/history for
// their replies (every POLL_MS, within the session's rate limit).
import { SseParser } from '../shared/sse';
import { sheet } from './styles';
import type { WidgetContext, WidgetUI } from './types';
import { panelCss } from './ui-styles';

interface Slot { start: string; end?: string; label: string; staff?: string | null }
type Entry =
  | { who: 'me' | 'bot' | 'note'; text: string }
  | { who: 'slots'; slots: Slot[] };
/* human: handed to a person (poll for their replies); seen: the last seq
 * of the history read. */
interface Stored { session: string; at: number; log: Entry[]; human?: boolean; seen?: number }

const LOG_MAX = 60;
const STALE_MS = 12 * 3600 * 1000;
const RETRIES = 4;
const POLL_MS = 5000;
const HUMAN_TEXT = 'I would like to talk to a person, please.';
const TOOL_LABELS: Record<string, string> = {
  check_availability: 'Checking availability…',
  hold_slot: 'Holding your time…',
  book_appointment: 'Booking…',
  cancel_booking: 'Cancelling…',
  reschedule_booking: 'Rescheduling…',
  get_booking: 'Looking up your booking…',
  search_faqs: 'Looking that up…',
  get_services: 'Checking our services…',
  get_business_info: 'Checking…',
  handoff_to_human: 'Finding someone to help…',
};

class HttpError extends Error {
  constructor(public status: number, message: string, public retryAfter: number) { super(message); }
}

type Attrs = Record<string, string | boolean>;
function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...kids: (Node | string)[]) {
  const e = document.createElement(tag);
  for (const k in attrs) {
    const v = attrs[k];
    if (v === false) continue;
    if (k === 'class') e.className = String(v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  e.append(...kids);
  return e;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function mount(ctx: WidgetContext): WidgetUI {
  const { root, base } = ctx;
  const page = ctx.mode === 'page';
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet(panelCss)];
  ctx.host.dataset.mode = ctx.mode;

  // ---- DOM ----
  const title = el('h2', { id: 'rcp-title' }, 'Chat');
  const logo = el('img', { alt: '', hidden: true });
  const closeBtn = el('button', { type: 'button', class: 'icon', 'aria-label': 'Close chat' }, '×');
  const head = el('div', { class: 'head' }, logo, title);
  if (!page) head.append(closeBtn);
  // Not live itself: streamed words would be read one by one. Finished
  // replies go to the polite region below instead.
  const log = el('div', { class: 'log', role: 'log', 'aria-live': 'off', 'aria-label': 'Conversation', tabindex: '0' });
  const live = el('div', { class: 'sr-only', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const typingText = el('span', {}, 'Typing…');
  const typing = el('p', { class: 'typing', hidden: true },
    el('span', { class: 'dots', 'aria-hidden': 'true' }, el('i'), el('i'), el('i')), typingText);
  const status = el('p', { class: 'status', role: 'status' });
  const input = el('textarea', { id: 'rcp-input', rows: '1', maxlength: '2000',
    placeholder: 'Type your message…', autocomplete: 'off' });
  const send = el('button', { type: 'submit', class: 'send' }, 'Send');
  const form = el('form', { class: 'composer' },
    el('label', { for: 'rcp-input', class: 'sr-only' }, 'Message'), input, send);
  const human = el('button', { type: 'button', class: 'linkbtn', hidden: true }, 'Talk to a human');
  const powered = el('span', { class: 'powered' });
  const foot = el('div', { class: 'foot' }, human, powered);
  const panel = el('div', { class: 'panel', hidden: true, role: page ? 'region' : 'dialog',
    'aria-labelledby': 'rcp-title', 'aria-modal': page ? false : 'true' },
  head, log, typing, status, form, foot, live);
  root.append(panel);

  // ---- state ----
  let open = false;
  let started = false;
  let busy = false;
  let stored: Stored | null = null;
  let cooldownUntil = 0;

  const storeKey = () => `rcp:chat:${ctx.config?.slug || ctx.tenant || base}`;
  const save = () => {
    if (!stored) return;
    stored.at = Date.now();
    stored.log = stored.log.slice(-LOG_MAX);
    try { localStorage.setItem(storeKey(), JSON.stringify(stored)); } catch { /* storage blocked */ }
  };
  const load = (): Stored | null => {
    try {
      const s = JSON.parse(localStorage.getItem(storeKey()) || 'null') as Stored | null;
      return s && typeof s.session === 'string' && Date.now() - s.at < STALE_MS ? s : null;
    } catch { return null; }
  };
  const forget = () => {
    stored = null;
    try { localStorage.removeItem(storeKey()); } catch { /* storage blocked */ }
  };

  const headers = (): Record<string, string> => {
    const h: Record<string, string> = { 'content-type': 'application/json' };
    if (ctx.tenant) h['x-tenant-id'] = ctx.tenant;
    return h;
  };
  const url = (p: string) => `${base}${p}${ctx.tenant ? `?tenant=${encodeURIComponent(ctx.tenant)}` : ''}`;

  // ---- rendering ----
  const scroll = () => { log.scrollTop = log.scrollHeight; };
  const announce = (text: string) => {
    live.textContent = '';
    setTimeout(() => { live.textContent = text; }, 50);
  };
  function bubble(who: 'me' | 'bot' | 'note', text: string) {
    const p = el('p', { class: who === 'note' ? 'note' : `msg ${who}` });
    if (who !== 'note') p.append(el('span', { class: 'sr-only' }, who === 'me' ? 'You: ' : `${title.textContent}: `));
    p.append(document.createTextNode(text));
    log.append(p);
    scroll();
    return p;
  }
  function setBubbleText(p: HTMLElement, text: string) {
    p.lastChild!.textContent = text;
  }
  function choices(slots: Slot[], live_: boolean) {
    const g = el('div', { class: 'choices', role: 'group', 'aria-label': 'Available times' });
    for (const s of slots) {
      const b = el('button', { type: 'button', disabled: !live_ }, s.label);
      b.addEventListener('click', () => {
        for (const x of g.querySelectorAll('button')) x.disabled = true;
        b.setAttribute('aria-pressed', 'true');
        // The button is now disabled and would drop focus: next comes typing.
        input.focus();
        // The engine recognises a slot by its start; people read the label.
        void say(s.start || s.label, s.label);
      });
      g.append(b);
    }
    log.append(g);
    scroll();
    return g;
  }
  function remember(e: Entry) {
    if (!stored) return;
    stored.log.push(e);
    save();
  }
  function note(text: string, keep = false) {
    bubble('note', text);
    announce(text);
    if (keep) remember({ who: 'note', text });
  }
  function setTyping(on: boolean, label = 'Typing…') {
    typing.hidden = !on;
    typingText.textContent = label;
  }
  function setBusy(on: boolean) {
    busy = on;
    // A disabled button drops focus to the page: keep it in the dialog.
    if (on && root.activeElement === send) input.focus();
    send.disabled = on || Date.now() < cooldownUntil;
  }
  function disableComposer(reason: string) {
    input.disabled = true;
    send.disabled = true;
    human.hidden = true;
    input.placeholder = reason;
  }
  function applyConfig() {
    const c = ctx.config;
    if (!c) return;
    title.textContent = c.name;
    if (c.logo_url) { logo.src = c.logo_url; logo.hidden = false; }
    human.hidden = !c.handoff;
    powered.textContent = c.powered_by ? `Powered by ${c.powered_by}` : '';
  }

  // ---- network ----
  async function errorOf(res: Response): Promise<HttpError> {
    const body = await res.json().catch(() => null) as { error?: { message?: string } } | null;
    const ra = Number(res.headers.get('retry-after')) || 0;
    return new HttpError(res.status, body?.error?.message || 'Something went wrong.', ra);
  }

  async function waitOnline(ms: number) {
    if (navigator.onLine) return sleep(ms);
    await new Promise<void>((r) => {
      const t = setTimeout(r, 30000);
      window.addEventListener('online', () => { clearTimeout(t); r(); }, { once: true });
    });
  }

  // Runs fn, retrying network failures (not HTTP errors) with backoff.
  async function withRetry<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await fn();
        status.textContent = '';
        return r;
      } catch (e) {
        if (e instanceof HttpError || attempt >= RETRIES) throw e;
        const delay = 1000 * 2 ** attempt;
        status.textContent = navigator.onLine
          ? 'Connection lost. Reconnecting…' : 'You are offline. We will send it when you are back.';
        await waitOnline(delay);
      }
    }
  }

  async function newSession(): Promise<void> {
    const body = await withRetry(async () => {
      const res = await fetch(url('/v1/chat/session'), {
        method: 'POST', headers: headers(), body: '{}', credentials: 'omit',
      });
      if (!res.ok) throw await errorOf(res);
      return res.json() as Promise<{ session_id: string; greeting?: string }>;
    });
    stored = { session: body.session_id, at: Date.now(), log: [] };
    if (body.greeting) {
      bubble('bot', body.greeting);
      announce(body.greeting);
      remember({ who: 'bot', text: body.greeting });
    } else {
      save();
    }
  }

  // A person's replies arrive only through the history: poll it while the
  // conversation is with them (paused while the tab is hidden).
  let polling = 0;
  function startPolling(): void {
    if (!stored) return;
    if (!stored.human) { stored.human = true; save(); }
    if (!polling) polling = window.setTimeout(poll, POLL_MS);
  }
  async function poll(): Promise<void> {
    polling = 0;
    if (!stored?.human) return;
    if (document.hidden || busy) { polling = window.setTimeout(poll, POLL_MS); return; }
    try {
      const res = await fetch(url('/v1/chat/history'), {
        method: 'POST', headers: headers(), credentials: 'omit',
        body: JSON.stringify({ session_id: stored.session, after_seq: stored.seen ?? 0 }),
      });
      if (res.status === 404) { stored.human = false; save(); return; }
      if (res.ok) {
        const h = await res.json() as { items: { seq: number; author: string; text: string }[]; status: string };
        for (const m of h.items) {
          stored.seen = Math.max(stored.seen ?? 0, m.seq);
          if (m.author !== 'human') continue;
          bubble('bot', m.text);
          announce(m.text);
          remember({ who: 'bot', text: m.text });
        }
        stored.human = h.status === 'HANDED_OFF';
        save();
        if (!stored.human) return;
      }
    } catch { /* offline: try again later */ }
    polling = window.setTimeout(poll, POLL_MS);
  }

  // One turn: POST /v1/chat/stream and render its events.
  async function turn(text: string): Promise<void> {
    let reply: HTMLElement | null = null;
    let replyText = '';
    let got = false;
    let pendingSlots = null as Slot[] | null;
    const res = await withRetry(async () => {
      const r = await fetch(url('/v1/chat/stream'), {
        method: 'POST',
        headers: { ...headers(), accept: 'text/event-stream' },
        body: JSON.stringify({ session_id: stored!.session, message: text }),
        credentials: 'omit',
      });
      if (!r.ok) throw await errorOf(r);
      return r;
    });
    const parser = new SseParser(({ event, data }) => {
      let d: Record<string, unknown> = {};
      try { d = JSON.parse(data || '{}'); } catch { return; }
      got = true;
      switch (event) {
        case 'delta':
          setTyping(false);
          replyText += String(d.text ?? '');
          if (!reply) { reply = bubble('bot', ''); reply.setAttribute('aria-busy', 'true'); }
          setBubbleText(reply, replyText);
          scroll();
          break;
        case 'tool':
          if (d.status === 'started') setTyping(true, TOOL_LABELS[String(d.name)] || 'Working…');
          break;
        case 'slots':
          if (Array.isArray(d.slots) && d.slots.length) {
            const slots = (d.slots as Slot[]).filter((s) => s && typeof s.label === 'string');
            pendingSlots = slots;
          }
          break;
        case 'message': {
          const final = String(d.text ?? replyText);
          if (!reply) reply = bubble('bot', final);
          else setBubbleText(reply, final);
          reply.removeAttribute('aria-busy');
          replyText = final;
          break;
        }
        case 'done':
          if (d.handed_off === true) startPolling();
          break;
        case 'error':
          setTyping(false);
          note(String(d.message || 'Something went wrong. Please try again.'));
          break;
        default:
          break;
      }
    });
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.push(dec.decode(value, { stream: true }));
      }
      parser.push(dec.decode());
      parser.push('\n\n');
    } catch {
      status.textContent = 'The connection dropped. If the answer looks cut off, please ask again.';
    } finally {
      setTyping(false);
    }
    if (replyText) {
      announce(replyText);
      remember({ who: 'bot', text: replyText });
    } else if (!got) {
      note('No answer came back. Please try again.');
    }
    if (pendingSlots) {
      choices(pendingSlots, true);
      announce(`${pendingSlots.length} times to choose from.`);
      remember({ who: 'slots', slots: pendingSlots });
    }
  }

  function cooldown(seconds: number) {
    cooldownUntil = Date.now() + seconds * 1000;
    send.disabled = true;
    setTimeout(() => {
      if (Date.now() >= cooldownUntil) { send.disabled = busy; status.textContent = ''; }
    }, seconds * 1000 + 50);
  }

  function failed(e: unknown, text: string | null) {
    setTyping(false);
    if (text !== null && !input.value) input.value = text;
    if (e instanceof HttpError && e.status === 429) {
      const s = Math.max(1, Math.min(e.retryAfter || 10, 3600));
      note(`You are sending messages a little fast. Please wait ${s} second${s === 1 ? '' : 's'} and try again.`);
      cooldown(s);
    } else if (e instanceof HttpError && e.status === 403) {
      ctx.refusal = e.message;
      note(e.message);
      disableComposer('Chat unavailable');
    } else if (e instanceof HttpError) {
      note(e.message);
    } else {
      status.textContent = '';
      note('We could not reach the chat. Check your connection and try again.');
    }
  }

  async function say(text: string, shown = text): Promise<void> {
    text = text.trim();
    if (!text || busy || input.disabled) return;
    setBusy(true);
    bubble('me', shown);
    setTyping(true);
    try {
      if (!stored) await newSession();
      remember({ who: 'me', text: shown });
      try {
        await turn(text);
      } catch (e) {
        // The session expired or was closed: start again once.
        if (e instanceof HttpError && (e.status === 404 || e.status === 410)) {
          forget();
          await newSession();
          remember({ who: 'me', text: shown });
          await turn(text);
        } else {
          throw e;
        }
      }
    } catch (e) {
      failed(e, text === shown ? text : null);
    } finally {
      setBusy(false);
    }
  }

  async function start(): Promise<void> {
    if (started) return;
    started = true;
    if (!ctx.config && !ctx.refusal) await ctx.reloadConfig();
    applyConfig();
    if (ctx.refusal) {
      note(ctx.refusal);
      disableComposer('Chat unavailable');
      return;
    }
    if (!ctx.config) {
      started = false;
      note('We could not reach the chat. Check your connection and try again.');
      return;
    }
    stored = load();
    if (stored) {
      const last = stored.log.length - 1;
      stored.log.forEach((e, i) => {
        if (e.who === 'slots') choices(e.slots, i === last);
        else bubble(e.who, e.text);
      });
      if (stored.human) startPolling();
      return;
    }
    setTyping(true);
    try {
      await newSession();
    } catch (e) {
      started = false;
      failed(e, null);
    } finally {
      setTyping(false);
    }
  }

  // ---- events ----
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = input.value;
    if (!text.trim() || busy || send.disabled) return;
    input.value = '';
    void say(text);
  });
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      form.requestSubmit();
    }
  });
  human.addEventListener('click', () => { void say(HUMAN_TEXT); });
  closeBtn.addEventListener('click', () => ui.close());
  panel.addEventListener('keydown', (ev) => {
    if (page) return;
    if (ev.key === 'Escape') {
      ev.preventDefault();
      ui.close();
      return;
    }
    if (ev.key !== 'Tab') return;
    const items = [...panel.querySelectorAll<HTMLElement>('button, textarea, a[href], [tabindex="0"]')]
      .filter((x) => !(x as HTMLButtonElement).disabled && !x.hidden && x.getClientRects().length > 0);
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    const active = root.activeElement;
    if (ev.shiftKey && (active === first || !panel.contains(active))) {
      ev.preventDefault();
      last.focus();
    } else if (!ev.shiftKey && (active === last || !panel.contains(active))) {
      ev.preventDefault();
      first.focus();
    }
  });
  window.addEventListener('online', () => { if (status.textContent) status.textContent = 'Back online.'; });

  const ui: WidgetUI = {
    open() {
      open = true;
      panel.hidden = false;
      applyConfig();
      input.focus();
      void start().then(() => { if (open && !input.disabled) input.focus(); });
    },
    close() {
      if (page) return;
      open = false;
      panel.hidden = true;
      ctx.onClose();
      ctx.launcher?.focus();
    },
    isOpen: () => open,
  };
  return ui;
}
