// app.tsx — the frame: who is signed in decides between the sign-in pages
// and the app; the app is a navigation built from the caller's permissions,
// the act-as banner while an operator acts as a tenant, and the page.
import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { LocationProvider, Router, Route, lazy, useLocation } from 'preact-iso';
import { api } from './api';
import { stopLive, liveState, waitingHandoffs, subscribe } from './live';
import { actingAs, can, me, perms, session, shell, signedOut } from './state';
import { platformPages, startPath, tenantPages, type PageDef } from './routes';
import { Loading, Notice, say } from './ui';
import { AcceptInvitation, ForgotPassword, ResetPassword, SignIn } from './pages/auth';

const pages: PageDef[] = shell.kind === 'platform' ? platformPages : tenantPages;
/** Entering a support session the agency console opened (its own chunk). */
const ActAs = lazy(() => import('./pages/platform-act-as'));
const base = shell.base;

function visible(p: PageDef): boolean {
  if (shell.kind === 'platform') return !!me.value?.user.platform_admin;
  return !p.resource || can(p.resource, 'read');
}

export async function signOut(everywhere = false): Promise<void> {
  try {
    await api.post(everywhere ? '/v1/auth/logout-all' : '/v1/auth/logout');
  } catch { /* the session may already be gone: signed out either way */ }
  stopLive();
  signedOut();
  location.assign(`${base}sign-in`);
}

/** While an operator acts as this tenant, the banner never goes away. */
function ActAsBanner() {
  const a = actingAs.value;
  if (!a) return null;
  return (
    <div class="act-as" role="region" aria-label="Support session">
      <strong>Support session:</strong> you are acting as this business
      {a.write ? ' with permission to change things.' : ', read-only.'}
      <button type="button" onClick={() => void signOut()}>End support session</button>
    </div>
  );
}

function Nav() {
  const { path } = useLocation();
  const groups = new Map<string, PageDef[]>();
  for (const p of pages) {
    if (!p.nav || !visible(p)) continue;
    groups.set(p.nav, [...(groups.get(p.nav) ?? []), p]);
  }
  return (
    <nav class="side" aria-label="Main">
      {[...groups].map(([g, list]) => (
        <section key={g}>
          <h2>{g}</h2>
          <ul>
            {list.map((p) => {
              const href = base + p.path;
              const current = path === href || path.startsWith(`${href}/`);
              return (
                <li key={p.path}>
                  <a href={href} aria-current={current ? 'page' : undefined}>
                    {p.title}
                    {p.path === 'inbox' && waitingHandoffs.value > 0 && (
                      <span class="badge alert" aria-label={`${waitingHandoffs.value} waiting`}>{waitingHandoffs.value}</span>
                    )}
                  </a>
                </li>
              );
            })}
          </ul>
        </section>
      ))}
    </nav>
  );
}

function TopBar() {
  const m = me.value;
  return (
    <header class="top">
      <a class="skip" href="#main">Skip to content</a>
      <a class="brand" href={base}>
        {shell.logo_url && <img src={shell.logo_url} alt="" width="28" height="28" />}
        <span>{shell.name}</span>
      </a>
      <span class={`live ${liveState.value}`} title={liveState.value === 'live' ? 'Live updates on' : 'Reconnecting…'}>
        {liveState.value === 'live' ? 'Live' : liveState.value === 'connecting' ? 'Reconnecting…' : ''}
      </span>
      <div class="who">
        <a href={`${base}account`}>{m?.user.name || m?.user.email}</a>
        {perms.value && <span class="role">{perms.value.role.toLowerCase().replace('_', ' ')}</span>}
        <button type="button" onClick={() => void signOut()}>Sign out</button>
      </div>
    </header>
  );
}

/** Keeps the inbox badge current from the stream. */
function useHandoffBadge() {
  useEffect(() => {
    if (shell.kind !== 'tenant' || !can('conversations', 'read')) return undefined;
    const load = () => api.get<{ items: unknown[] }>('/v1/admin/conversations?waiting=true&limit=100')
      .then((r) => { waitingHandoffs.value = r.items.length; }).catch(() => undefined);
    load();
    return subscribe('handoff.*', (e) => {
      if (e.kind === 'handoff.waiting') say('A conversation is waiting for a person.');
      load();
    });
  }, []);
}

function Shell({ children }: { children: ComponentChildren }) {
  useHandoffBadge();
  return (
    <div class="app">
      <ActAsBanner />
      <TopBar />
      <div class="body">
        <Nav />
        <main id="main">{children}</main>
      </div>
      <Notice />
    </div>
  );
}

function Landing() {
  const { route } = useLocation();
  useEffect(() => { route(startPath(), true); }, []);
  return <Loading />;
}

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>There is nothing at this address. <a href={base}>Go to the start page</a>.</p>
    </section>
  );
}

function Forbidden() {
  return (
    <section>
      <h1>Not available to you</h1>
      <p>Your role cannot open this page. Ask the business's owner if you need it.</p>
    </section>
  );
}

/** Signed in, but not a member of the business on this host. */
function NoAccess() {
  return (
    <div class="auth">
      <div class="auth-card">
        <h1 id="page-title" tabIndex={-1}>No access to this business</h1>
        <p>You are signed in as {me.value?.user.email}, which is not a member of {shell.name}.</p>
        <button type="button" class="primary" onClick={() => void signOut()}>Sign out</button>
      </div>
    </div>
  );
}

const publicPaths = ['sign-in', 'forgot-password', 'reset-password', 'accept-invitation', 'act-as'];

function SignedIn() {
  // A business that requires two-step sign-in: members without it can use
  // only their account page (the API refuses the rest) until they enrol.
  const { path, route } = useLocation();
  const mustEnrol = !!me.value?.mfa_required && !me.value.user.totp_enabled;
  useEffect(() => { if (mustEnrol && path !== `${base}account`) route(`${base}account`, true); }, [mustEnrol, path]);
  return (
    <Shell>
      <Router onRouteChange={() => document.getElementById('page-title')?.focus()}>
        <Route path={base} component={Landing} />
        {pages.map((p) => (
          <Route key={p.path} path={base + p.path} component={visible(p) ? p.component : Forbidden} />
        ))}
        <Route default component={NotFound} />
      </Router>
    </Shell>
  );
}

function SignedOut() {
  const { path, route } = useLocation();
  const rest = path.slice(base.length);
  useEffect(() => {
    if (!publicPaths.includes(rest)) route(`${base}sign-in?next=${encodeURIComponent(path)}`, true);
  }, [rest]);
  return (
    <div class="auth">
      <div class="auth-card">
        <p class="brand">
          {shell.logo_url && <img src={shell.logo_url} alt="" width="40" height="40" />}
          <span>{shell.name}</span>
        </p>
        <Router>
          <Route path={`${base}sign-in`} component={SignIn} />
          <Route path={`${base}forgot-password`} component={ForgotPassword} />
          <Route path={`${base}reset-password`} component={ResetPassword} />
          <Route path={`${base}accept-invitation`} component={AcceptInvitation} />
          <Route path={`${base}act-as`} component={ActAs} />
          <Route default component={Loading} />
        </Router>
      </div>
    </div>
  );
}

function Root() {
  const { path, route } = useLocation();
  const rest = path.slice(base.length);
  // An invitation or reset link opened while signed in still works.
  if (session.value === 'in' && (rest === 'accept-invitation' || rest === 'reset-password' || rest === 'act-as')) return <SignedOut />;
  if (session.value === 'in' && rest === 'sign-in') {
    const next = new URLSearchParams(location.search).get('next');
    route(next && next.startsWith(base) && !next.startsWith(`${base}sign-in`) ? next : startPath(), true);
    return <Loading />;
  }
  if (session.value === 'unknown') return <Loading />;
  if (session.value === 'in' && shell.kind === 'tenant' && perms.value?.role === 'NONE') return <NoAccess />;
  if (session.value === 'in' && shell.kind === 'platform' && !me.value?.user.platform_admin) return <NoAccess />;
  return session.value === 'in' ? <SignedIn /> : <SignedOut />;
}

export function App() {
  return (
    <LocationProvider scope={base}>
      <Root />
    </LocationProvider>
  );
}
