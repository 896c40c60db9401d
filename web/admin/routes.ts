// routes.ts — every page of the app: its path, its name in the navigation
// and the permission that shows it. Each page is its own chunk (lazy), so
// the shell stays small and a page's code loads when it is first opened.
import { lazy } from 'preact-iso';
import type { AnyComponent } from 'preact';
import { can, shell } from './state';

export interface PageDef {
  path: string;            // below the app's base ("today", "bookings/:id")
  title: string;
  nav?: string;            // the navigation group, if listed there
  resource?: string;       // shown when the caller may read this
  component: AnyComponent<Record<string, unknown>>;
}

const L = (f: () => Promise<{ default: AnyComponent<never> }>) =>
  lazy(f as () => Promise<{ default: AnyComponent<Record<string, unknown>> }>);

/** The business's app (/admin/ on the tenant's host). */
export const tenantPages: PageDef[] = [
  { path: 'today', title: 'Today', nav: 'Day', resource: 'bookings', component: L(() => import('./pages/today')) },
  { path: 'calendar', title: 'Calendar', nav: 'Day', resource: 'bookings', component: L(() => import('./pages/calendar')) },
  { path: 'inbox', title: 'Inbox', nav: 'Day', resource: 'conversations', component: L(() => import('./pages/inbox')) },
  { path: 'inbox/:id', title: 'Conversation', resource: 'conversations', component: L(() => import('./pages/inbox')) },
  { path: 'conversations/:id', title: 'Conversation', resource: 'conversations', component: L(() => import('./pages/inbox')) },
  { path: 'bookings', title: 'Bookings', nav: 'Day', resource: 'bookings', component: L(() => import('./pages/bookings')) },
  { path: 'bookings/:id', title: 'Booking', resource: 'bookings', component: L(() => import('./pages/bookings')) },
  { path: 'customers', title: 'Customers', nav: 'Day', resource: 'customers', component: L(() => import('./pages/customers')) },
  { path: 'customers/:id', title: 'Customer', resource: 'customers', component: L(() => import('./pages/customers')) },
  { path: 'waitlist', title: 'Waitlist', nav: 'Day', resource: 'customers', component: L(() => import('./pages/waitlist')) },
  { path: 'setup', title: 'Get started', nav: 'Business', resource: 'profile', component: L(() => import('./pages/setup')) },
  { path: 'catalogue', title: 'Catalogue', nav: 'Business', resource: 'catalog', component: L(() => import('./pages/catalogue')) },
  { path: 'catalogue/:tab', title: 'Catalogue', resource: 'catalog', component: L(() => import('./pages/catalogue')) },
  { path: 'business', title: 'Business', nav: 'Business', resource: 'profile', component: L(() => import('./pages/business')) },
  { path: 'business/:tab', title: 'Business', resource: 'profile', component: L(() => import('./pages/business')) },
  { path: 'receptionist', title: 'Receptionist', nav: 'Business', resource: 'ai_settings', component: L(() => import('./pages/receptionist')) },
  { path: 'brand', title: 'Brand and channels', nav: 'Business', resource: 'channels', component: L(() => import('./pages/brand')) },
  { path: 'messages', title: 'Messages', nav: 'Admin', resource: 'users', component: L(() => import('./pages/messages')) },
  { path: 'team', title: 'Team', nav: 'Admin', resource: 'users', component: L(() => import('./pages/team')) },
  { path: 'usage', title: 'Usage and plan', nav: 'Admin', resource: 'billing', component: L(() => import('./pages/usage')) },
  { path: 'audit', title: 'Audit log', nav: 'Admin', resource: 'audit_log', component: L(() => import('./pages/audit')) },
  { path: 'account', title: 'My account', component: L(() => import('./pages/account')) },
];

/** The agency console (/platform/ on the platform's host). */
export const platformPages: PageDef[] = [
  { path: 'tenants', title: 'Tenants', nav: 'Agency', component: L(() => import('./pages/platform')) },
  { path: 'tenants/:id', title: 'Tenant', component: L(() => import('./pages/platform')) },
  { path: 'overview', title: 'Overview', nav: 'Agency', component: L(() => import('./pages/platform-overview')) },
  { path: 'account', title: 'My account', component: L(() => import('./pages/account')) },
];

/** Where a signed-in user lands: the first page their permissions open,
 * in the order a business's day needs them. */
export function landing(pages: PageDef[], canRead: (r: string) => boolean): string {
  const p = pages.find((x) => x.nav && (!x.resource || canRead(x.resource)));
  return p ? p.path : 'account';
}

/** Where a signed-in person starts: the first listed page their permissions
 *  show (straight there after signing in, not through the base's redirect). */
export function startPath(): string {
  const pages = shell.kind === 'platform' ? platformPages : tenantPages;
  return shell.base + landing(pages, (r) => shell.kind === 'platform' || can(r, 'read'));
}

/** Loads and runs the usual start page's code (Today; the console's first
 *  page) while the server is busy anyway — checking a password, answering
 *  who is signed in — so the page draws without waiting for its chunk. */
export function preloadStart(): void {
  const first = (shell.kind === 'platform' ? platformPages : tenantPages)[0].component as { preload?: () => Promise<unknown> };
  void first.preload?.().catch(() => undefined);
}
