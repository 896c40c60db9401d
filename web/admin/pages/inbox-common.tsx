// inbox-common.tsx — what the inbox and customers pages share: a
// conversation's summary shape, whether it waits for a person, and the
// channel and status words.
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
  /** Who of the business has it; null while a handoff waits for a person. */
  claimed_by?: { id: string; name: string | null; at: string } | null;
  last_message?: string | null;
}

/** Handed off and nobody has taken it yet. */
export const isWaiting = (c: Pick<ConvSummary, 'status' | 'claimed_by'>) => c.status === 'HANDED_OFF' && !c.claimed_by;

const CHANNELS: Record<string, string> = {
  web: 'Website chat', whatsapp: 'WhatsApp', sms: 'SMS', voice: 'Phone', instagram: 'Instagram', messenger: 'Messenger',
};
export const channelName = (c: string) => CHANNELS[c] ?? c;

const STATUS: Record<string, { text: string; kind: string }> = {
  ACTIVE: { text: 'Receptionist answering', kind: 'ok' },
  HANDED_OFF: { text: 'With a person', kind: 'alert' },
  CLOSED: { text: 'Closed', kind: '' },
};
export const StatusBadge = ({ status, claimed }: { status: string; claimed?: ConvSummary['claimed_by'] }) => {
  if (status === 'HANDED_OFF') {
    return claimed ? <Badge kind="ok">With {claimed.name || 'a person'}</Badge> : <Badge kind="alert">Waiting for a person</Badge>;
  }
  return <Badge kind={STATUS[status]?.kind ?? ''}>{STATUS[status]?.text ?? status}</Badge>;
};

export const TestBadge = ({ test }: { test?: boolean }) => (test ? <Badge kind="warn">Test</Badge> : null);
