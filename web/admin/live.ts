// live.ts — the tab's one Server-Sent Events stream (GET /v1/admin/events).
// Pages subscribe to event kinds ("conversation.message", "booking.*", …);
// the stream opens on the first subscriber and closes with the last. A
// "resync" event (the server lost its LISTEN session for a moment) tells
// every subscriber to reload, since events may have been missed.
import { signal } from '@preact/signals';

export interface LiveEvent { kind: string; data: Record<string, unknown> }
type Handler = (e: LiveEvent) => void;

const subs = new Set<{ pattern: string; fn: Handler }>();
let source: EventSource | null = null;
/** Shown in the header: whether updates are arriving. */
export const liveState = signal<'off' | 'connecting' | 'live'>('off');
/** Handoffs waiting, kept current by the stream (the inbox badge). */
export const waitingHandoffs = signal(0);

const KINDS = ['conversation.created', 'conversation.message', 'conversation.closed',
  'handoff.waiting', 'handoff.taken', 'handoff.released',
  'booking.created', 'booking.moved', 'booking.cancelled', 'booking.status', 'resync'];

function matches(pattern: string, kind: string): boolean {
  return pattern === '*' || pattern === kind || (pattern.endsWith('.*') && kind.startsWith(pattern.slice(0, -1)));
}

function dispatch(kind: string, raw: string): void {
  let data: Record<string, unknown> = {};
  try { data = JSON.parse(raw) as Record<string, unknown>; } catch { /* keep {} */ }
  for (const s of subs) if (kind === 'resync' || matches(s.pattern, kind)) s.fn({ kind, data });
}

function open(): void {
  if (source || typeof EventSource === 'undefined') return;
  liveState.value = 'connecting';
  source = new EventSource('/v1/admin/events', { withCredentials: true });
  source.onopen = () => { liveState.value = 'live'; };
  // EventSource reconnects by itself (the server says retry: 3000).
  source.onerror = () => { liveState.value = 'connecting'; };
  for (const k of KINDS) source.addEventListener(k, (e) => dispatch(k, (e as MessageEvent).data));
}

function close(): void {
  source?.close();
  source = null;
  liveState.value = 'off';
}

/** Calls fn for each event matching pattern ("booking.*", a kind or "*")
 * and for "resync"; returns the unsubscribe function (for useEffect). */
export function subscribe(pattern: string, fn: Handler): () => void {
  const s = { pattern, fn };
  subs.add(s);
  open();
  return () => {
    subs.delete(s);
    if (subs.size === 0) close();
  };
}

/** Ends the stream at sign-out, whoever still listens. */
export function stopLive(): void {
  subs.clear();
  close();
}
