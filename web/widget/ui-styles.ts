// ui-styles.ts — the chat panel's styles (in the UI chunk, not the loader).
export const panelCss = `
.panel{position:fixed;right:20px;bottom:92px;width:min(380px,calc(100vw - 40px));height:min(600px,calc(100vh - 120px));
display:flex;flex-direction:column;background:var(--_bg);color:var(--_fg);border-radius:var(--_r);
box-shadow:0 12px 40px rgba(0,0,0,.28);overflow:hidden;animation:rcp-in .18s ease-out}
.panel[hidden]{display:none}
:host([data-mode=page]) .panel{position:relative;right:auto;bottom:auto;width:100%;height:100%;min-height:420px;
box-shadow:none;border:1px solid #e5e7eb;animation:none}
.head{display:flex;align-items:center;gap:10px;padding:12px 14px;background:var(--_a);color:var(--_on)}
.head h2{font-size:16px;line-height:1.3;margin:0;flex:1;font-weight:600;color:inherit}
.head img{width:28px;height:28px;border-radius:6px;object-fit:cover;background:#fff}
.icon{background:none;border:0;color:inherit;font:inherit;font-size:22px;line-height:1;width:36px;height:36px;
border-radius:8px;cursor:pointer;margin:0;padding:0}
.icon:hover{background:rgba(255,255,255,.15)}
.log{flex:1;overflow-y:auto;padding:14px;display:flex;flex-direction:column;gap:8px;overscroll-behavior:contain}
.msg{max-width:85%;margin:0;padding:8px 12px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere}
.bot{align-self:flex-start;background:#f3f4f6;color:#111827}
.me{align-self:flex-end;background:var(--_a);color:var(--_on)}
.note{align-self:center;margin:0;font-size:13px;color:var(--_mu);text-align:center}
.choices{display:flex;flex-wrap:wrap;gap:6px;margin:0;padding:0;border:0}
.choices button{border:1px solid var(--_a);color:var(--_a2);background:var(--_bg);border-radius:999px;padding:6px 12px;
cursor:pointer;font:inherit;font-size:14px;margin:0}
.choices button:hover{background:var(--_a);color:var(--_on)}
.choices button:disabled{opacity:.5;cursor:default}
.typing{display:flex;align-items:center;gap:8px;padding:0 16px 6px;font-size:13px;color:var(--_mu);min-height:20px;margin:0}
.typing[hidden]{display:none}
.dots{display:inline-flex;gap:3px}
.dots i{width:6px;height:6px;border-radius:50%;background:var(--_mu);animation:rcp-dot 1s infinite ease-in-out}
.dots i:nth-child(2){animation-delay:.15s}.dots i:nth-child(3){animation-delay:.3s}
.status{margin:0;padding:6px 14px;font-size:13px;background:#fef3c7;color:#78350f}
.status:empty{display:none}
.composer{display:flex;gap:8px;padding:10px;border-top:1px solid #e5e7eb;margin:0}
.composer textarea{flex:1;resize:none;font:inherit;color:var(--_fg);background:var(--_bg);padding:8px 10px;
border:1px solid #9ca3af;border-radius:10px;max-height:120px;margin:0}
.send{border:0;border-radius:10px;background:var(--_a);color:var(--_on);font:inherit;font-weight:600;padding:0 14px;
cursor:pointer;margin:0}
.send:disabled{opacity:.55;cursor:default}
.foot{display:flex;justify-content:space-between;align-items:center;gap:8px;padding:0 12px 8px;font-size:12px;color:var(--_mu)}
.linkbtn{background:none;border:0;color:var(--_a2);text-decoration:underline;cursor:pointer;font:inherit;padding:4px;margin:0}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
@keyframes rcp-in{from{opacity:0;transform:translateY(8px)}to{opacity:1;transform:none}}
@keyframes rcp-dot{0%,80%,100%{opacity:.3}40%{opacity:1}}
@media (max-width:480px){:host(:not([data-mode=page])) .panel{inset:0;width:100%;height:100%;border-radius:0}}
@media (prefers-reduced-motion:reduce){.panel,.dots i{animation:none}}
`;
