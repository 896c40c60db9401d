// state.ts — what every page shares: the shell the server inlined (brand,
// time zone, which app this is), the signed-in user and their permissions.
// Pages decide what to show from can(), which reads the server's permission
// matrix (GET /v1/admin/permissions); nothing compares role names.
import { signal, computed } from '@preact/signals';
import { api, setCsrf } from './api';

export interface Shell {
  kind: 'tenant' | 'platform';
  name: string;
  primary_color: string;
  accent_color: string;
  logo_url?: string;
  timezone?: string;
  slug?: string;
  base: string; // "/admin/" or "/platform/"
  /** The request carried no session cookie: nobody is signed in, so the
   *  first render is the sign-in page without asking /v1/auth/me. */
  signed_out?: boolean;
}

export interface Me {
  user: { id: string; email: string; name?: string | null; totp_enabled?: boolean; platform_admin?: boolean };
  memberships: { tenant_id: string; role: string; tenant_name?: string; slug?: string }[];
  csrf_token: string;
  mfa_required: boolean;
  session: { expires_at: string; act_as: { tenant_id: string; write: boolean } | null };
}

export interface Permissions {
  tenant_id: string;
  role: string;
  act_as: boolean;
  act_as_write: boolean;
  permissions: Record<string, ('read' | 'write')[]>;
}

function readShell(): Shell {
  const el = document.getElementById('rcp-admin');
  const s = JSON.parse(el?.textContent || '{}') as Partial<Shell>;
  return { kind: 'tenant', name: '', primary_color: '#2563eb', accent_color: '#1e40af', base: '/admin/', ...s } as Shell;
}

export const shell = readShell();
/** The business's zone: every time on screen is shown in it, and says so. */
export const tz = shell.timezone || Intl.DateTimeFormat().resolvedOptions().timeZone;

export const me = signal<Me | null>(null);
export const perms = signal<Permissions | null>(null);
/** 'unknown' until /me answers, so the first paint is not a sign-in flash. */
export const session = signal<'unknown' | 'in' | 'out'>(shell.signed_out ? 'out' : 'unknown');

export const actingAs = computed(() => me.value?.session.act_as ?? null);

/** May the caller do verb on resource? As the server will decide. */
export function can(resource: string, verb: 'read' | 'write' = 'read'): boolean {
  return perms.value?.permissions[resource]?.includes(verb) ?? false;
}

/** Loads who is signed in; on the tenant host, their permissions too. */
export async function loadSession(): Promise<void> {
  try {
    // Both at once: one round trip, not two, before the first page.
    const [m, p] = await Promise.all([api.get<Me>('/v1/auth/me', { quiet401: true }),
      shell.kind === 'tenant' ? api.get<Permissions>('/v1/admin/permissions', { quiet401: true }) : null]);
    setCsrf(m.csrf_token);
    if (p) perms.value = p;
    me.value = m;
    session.value = 'in';
  } catch {
    me.value = null;
    perms.value = null;
    setCsrf('');
    session.value = 'out';
  }
}

export function signedOut(): void {
  me.value = null;
  perms.value = null;
  setCsrf('');
  session.value = 'out';
}
