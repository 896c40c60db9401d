// inbox-common.tsx — what the inbox, customers and receptionist pages
// share: a conversation's summary shape, channel and status words, and
// the "changed elsewhere" translation for If-Match edits.
import { ApiError } from '../api';
import { Badge } from '../ui';

export interface ConvSummary {
  id: string;
  channel: string;
  status: 'ACTIVE' | 'HANDED_OFF' | 'CLOSED';
  /** Opened from the receptionist page's "try it" panel. */
  test?: boolean;
  customer_id?: string | null;
  customer_name?: string | null;
  summary?: string | null;
  message_count: number;
  last_activity_at: string;
  created_at: string;
  handed_off_at?: string | null;
  handoff_reason?: string | null;
  last_message?: string | null;
}

const CHANNELS: Record<string, string> = {
  web: 'Website chat', whatsapp: 'WhatsApp', sms: 'SMS', voice: 'Phone', instagram: 'Instagram', messenger: 'Messenger',
};
export const channelName = (c: string) => CHANNELS[c] ?? c;

const STATUS: Record<string, { text: string; kind: string }> = {
  ACTIVE: { text: 'Receptionist answering', kind: 'ok' },
  HANDED_OFF: { text: 'With a person', kind: 'alert' },
  CLOSED: { text: 'Closed', kind: '' },
};
export const StatusBadge = ({ status }: { status: string }) => (
  <Badge kind={STATUS[status]?.kind ?? ''}>{STATUS[status]?.text ?? status}</Badge>
);

/** The server answers a lost If-Match with 409 naming If-Match; the
 * form's "reload or overwrite" choice (FormError) knows it as
 * ApiError.stale (412). Use as .catch(staleAs412). */
export function staleAs412(e: unknown): never {
  if (e instanceof ApiError && e.status === 409 && e.field('If-Match')) {
    throw new ApiError(412, e.code, e.message, e.details, e.requestId);
  }
  throw e;
}

export const TestBadge = ({ test }: { test?: boolean }) => (test ? <Badge kind="warn">Test</Badge> : null);
