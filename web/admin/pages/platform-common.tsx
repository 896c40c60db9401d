// platform-common.tsx — what the console's pages share: the tenant shape
// the platform API returns, plan and status badges, and audit actions in
// words (the tenant's audit log uses them too).
import type { ComponentChildren } from 'preact';
import { Badge } from '../ui';

export interface PlatformTenant {
  id: string; slug: string; name: string | null; status: 'active' | 'suspended' | 'deleted';
  plan: string; timezone: string | null; created_at: string; updated_at: string;
}

export const PLANS = [
  { value: 'free', label: 'Free' },
  { value: 'basic', label: 'Basic' },
  { value: 'pro', label: 'Pro' },
  { value: 'enterprise', label: 'Enterprise' },
];

export const planLabel = (p: string) => PLANS.find((x) => x.value === p)?.label ?? p;

export const PlanBadge = ({ plan }: { plan: string }) => <Badge>{planLabel(plan)}</Badge>;

export function StatusBadge({ status }: { status: string }) {
  const kind = status === 'active' ? 'ok' : status === 'suspended' ? 'warn' : 'alert';
  return <Badge kind={kind}>{status[0].toUpperCase() + status.slice(1)}</Badge>;
}

const WORDS: Record<string, string> = {
  'tenant.created': 'Business created',
  'tenant.suspended': 'Suspended',
  'tenant.restored': 'Restored',
  'tenant.deleted': 'Deleted',
  'tenant.plan_overridden': 'Plan changed',
  'invitation.created': 'Invitation sent',
  'support.act_as_started': 'Support session opened',
  'support.act_as_entered': 'Support session entered',
  'support.read': 'Support: viewed',
  'support.write': 'Support: change',
};

/** "booking.created" → words where known, else the action itself. */
export const auditWhat = (action: string) => WORDS[action] ?? action;

/** A table's scroll box: at 360 px it scrolls sideways, so it must be
 * reachable by keyboard (focusable) and named. */
export function TableWrap({ label, children }: { label: string; children: ComponentChildren }) {
  return <div class="table-wrap scroll-x" role="region" aria-label={label} tabIndex={0}>{children}</div>;
}
