// loader.ts — widget.js, the one file an embedding site links:
//   <script src="https://{tenant host}/widget.js" async></script>
// It draws the launcher in a Shadow DOM (so the page's CSS and ours never
// meet), themes it from the tenant's branding, and imports the chat UI only
// when the visitor opens it (or hovers/focuses the launcher, to warm it up).
// No inline styles or scripts: styles go in through adoptedStyleSheets and
// CSSOM, so it runs under a strict Content-Security-Policy.
import { launcherCss, sheet } from './styles';
import type { WidgetConfig, WidgetContext, WidgetUI } from './types';

declare const __UI_CHUNK__: string;

// Built node by node: no innerHTML, so Trusted Types policies pass too.
function icon(): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  const p = document.createElementNS(ns, 'path');
  for (const [k, v] of [['viewBox', '0 0 24 24'], ['width', '28'], ['height', '28'], ['aria-hidden', 'true'],
    ['focusable', 'false']]) svg.setAttribute(k, v);
  p.setAttribute('fill', 'currentColor');
  p.setAttribute('d', 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z');
  svg.append(p);
  return svg;
}

(() => {
  const script = document.currentScript as HTMLScriptElement | null;
  const w = window as unknown as { __rcpWidget?: boolean };
  if (!script || w.__rcpWidget) return;
  w.__rcpWidget = true;

  const base = new URL(script.src, location.href).origin;
  const tenant = script.dataset.tenant || '';
  const mode = script.dataset.mode === 'page' ? 'page' : 'float';
  const targetId = script.dataset.target;

  const host = document.createElement('rcp-widget');
  // Inline CSSOM (allowed under CSP, unlike a style attribute in markup)
  // with !important, so no page rule can move or resize the host.
  const fix = (props: Record<string, string>) => {
    for (const k in props) host.style.setProperty(k, props[k], 'important');
  };
  fix(mode === 'page'
    ? { display: 'block', position: 'relative', width: '100%', height: '100%' }
    : { display: 'block', position: 'fixed', right: '20px', bottom: '20px', left: 'auto',
      top: 'auto', width: 'auto', height: 'auto', margin: '0', padding: '0', border: '0',
      'z-index': '2147483000' });
  const root = host.attachShadow({ mode: 'open' });
  root.adoptedStyleSheets = [sheet(launcherCss)];

  let launcher: HTMLButtonElement | null = null;
  if (mode === 'float') {
    launcher = document.createElement('button');
    launcher.type = 'button';
    launcher.className = 'launcher';
    launcher.setAttribute('aria-haspopup', 'dialog');
    launcher.setAttribute('aria-expanded', 'false');
    launcher.setAttribute('aria-label', 'Open chat');
    launcher.append(icon());
    root.append(launcher);
  }

  const ctx: WidgetContext = {
    base, tenant, mode, root, host, launcher, config: null, refusal: null,
    reloadConfig: loadConfig,
    onClose: () => launcher?.setAttribute('aria-expanded', 'false'),
  };

  // With data-tenant the script comes from the platform host; the chat
  // goes to the tenant's own host, same scheme and port.
  function useTenantHost(c: WidgetConfig) {
    if (!tenant || !c.api_host) return;
    const src = new URL(script!.src, location.href);
    ctx.base = `${src.protocol}//${c.api_host}${src.port ? `:${src.port}` : ''}`;
    ctx.tenant = '';
  }

  function theme(c: WidgetConfig) {
    host.style.setProperty('--rcp-t-accent', c.primary_color);
    host.style.setProperty('--rcp-t-accent-2', c.accent_color);
    launcher?.setAttribute('aria-label', `Chat with ${c.name}`);
  }

  async function loadConfig(): Promise<void> {
    try {
      const q = tenant ? `?tenant=${encodeURIComponent(tenant)}` : '';
      const res = await fetch(`${base}/widget/config${q}`, { credentials: 'omit' });
      const body = await res.json().catch(() => null);
      if (res.ok && body) {
        ctx.config = body as WidgetConfig;
        useTenantHost(ctx.config);
        ctx.refusal = ctx.config.chat_enabled ? null : 'Chat is not available right now.';
        theme(ctx.config);
      } else if (res.status === 403 || res.status === 404) {
        ctx.refusal = body?.error?.message || 'This chat is not available on this website.';
      }
    } catch {
      // Offline or blocked: the UI retries when opened.
    }
  }

  let ui: Promise<WidgetUI> | null = null;
  const loadUI = () => {
    ui ??= import(/* @vite-ignore */ `${base}/${__UI_CHUNK__}`)
      .then((m: { mount: (c: WidgetContext) => WidgetUI }) => m.mount(ctx))
      .catch((e) => { ui = null; throw e; });
    return ui;
  };

  const configLoaded = loadConfig();
  if (launcher) {
    const warm = () => { loadUI().catch(() => {}); };
    launcher.addEventListener('pointerenter', warm, { once: true });
    launcher.addEventListener('focus', warm, { once: true });
    launcher.addEventListener('click', async () => {
      launcher!.classList.add('busy');
      try {
        const u = await loadUI();
        if (u.isOpen()) {
          u.close();
        } else {
          launcher!.setAttribute('aria-expanded', 'true');
          u.open();
        }
      } catch {
        launcher!.setAttribute('aria-label', 'Chat could not load. Try again.');
      } finally {
        launcher!.classList.remove('busy');
      }
    });
  }

  const attach = () => {
    const target = mode === 'page' && targetId ? document.getElementById(targetId) : null;
    (target || document.body).append(host);
    if (mode === 'page') configLoaded.then(() => loadUI()).then((u) => u.open()).catch(() => {});
  };
  if (document.body) attach();
  else document.addEventListener('DOMContentLoaded', attach, { once: true });
})();
