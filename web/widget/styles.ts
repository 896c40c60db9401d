// styles.ts — the launcher's styles and the theme variables. Colours come
// from custom properties the host page may set (--rcp-accent, --rcp-accent-2,
// --rcp-on-accent, --rcp-bg, --rcp-fg, --rcp-muted, --rcp-radius, --rcp-font),
// falling back to the tenant's branding (--rcp-t-*, set by the loader).
// Inherited text properties are reset on our own top elements: the host
// element itself is the page's to style (its `* {}` rules reach it).

export function sheet(css: string): CSSStyleSheet {
  const s = new CSSStyleSheet();
  s.replaceSync(css);
  return s;
}

export const launcherCss = `
:host{--_a:var(--rcp-accent,var(--rcp-t-accent,#2563eb));--_a2:var(--rcp-accent-2,var(--rcp-t-accent-2,#1e40af));
--_on:var(--rcp-on-accent,#fff);--_bg:var(--rcp-bg,#fff);--_fg:var(--rcp-fg,#111827);--_mu:var(--rcp-muted,#4b5563);
--_r:var(--rcp-radius,16px);--_f:var(--rcp-font,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif)}
*,*::before,*::after{box-sizing:border-box}
.launcher,.panel{font:400 15px/1.45 var(--_f);color:var(--_fg);text-align:left;letter-spacing:normal;word-spacing:normal;
text-transform:none;text-indent:0;text-shadow:none;white-space:normal;font-style:normal;visibility:visible;direction:ltr}
.launcher{width:60px;height:60px;border-radius:50%;border:0;margin:0;padding:0;background:var(--_a);color:var(--_on);
display:grid;place-items:center;cursor:pointer;box-shadow:0 6px 20px rgba(0,0,0,.25);transition:transform .15s}
.launcher:hover{transform:scale(1.05)}
.launcher.busy{opacity:.7;cursor:progress}
:focus-visible{outline:3px solid var(--_a2);outline-offset:3px;box-shadow:0 0 0 2px #fff}
@media (prefers-reduced-motion:reduce){*{transition:none!important;animation:none!important}}
`;
