// brand.tsx — Brand and channels: the business's colours, name and logo
// with a live contrast check and a preview of the widget and booking page;
// the sites allowed to embed the widget and the snippet to paste; custom
// domains with the DNS record to publish; calendar connections.
//
// The preview is drawn here rather than framing /book: every page of the
// portal says frame-ancestors 'none' (and this app's CSP allows no
// frames), and a preview must show colours before they are saved.
import { useState } from 'preact/hooks';
import { api, type Page } from '../api';
import { can, shell } from '../state';
import {
  Async, Badge, Can, CopyButton, Empty, FormError, PageHeader, TextField, confirmAction, say, useLoad, useSubmit,
} from '../ui';
import { contrastOnWhite, isHex, WCAG_AA } from './brand-contrast';
import { Calendars } from './brand-calendars';
import { Sms } from './brand-sms';

interface Branding {
  display_name: string; primary_color: string; accent_color: string; logo_url: string | null;
  version: number; warnings?: { field: string; issue: string }[];
}
interface Origin { id: string; origin: string }
interface Domain {
  id: string; hostname: string; kind: 'subdomain' | 'custom'; verification_state: 'pending' | 'verified' | 'failed';
  verification_token?: string; verified_at: string | null;
}

/* ---- colours, name, logo ------------------------------------------------- */

function ColourField({ label, name, value, onValue, error }: {
  label: string; name: string; value: string; onValue: (v: string) => void; error: ReturnType<typeof useSubmit>['error'];
}) {
  const ratio = contrastOnWhite(value);
  const low = !Number.isNaN(ratio) && ratio < WCAG_AA;
  return (
    <div class="colour">
      <TextField label={label} name={name} value={value} onValue={onValue} error={error} required
        pattern="#[0-9a-fA-F]{6}" maxLength={7} hint="A colour such as #0f766e." />
      <input type="color" aria-label={`${label}: picker`} value={isHex(value) ? value : '#000000'}
        onInput={(e) => onValue((e.target as HTMLInputElement).value)} />
      {!Number.isNaN(ratio) && (
        <p class={`contrast ${low ? 'warn' : 'ok'}`} data-field={name}>
          White text on it: {ratio.toFixed(2)}:1 {low ? `— below ${WCAG_AA}:1, hard to read` : '— readable'}
        </p>
      )}
    </div>
  );
}

/** The customer's view in the chosen colours, good or bad: a picture (an
 * SVG image with a description), so a poor colour shows as it would look
 * without the admin page itself failing its own contrast rules. */
function Preview({ b }: { b: Pick<Branding, 'display_name' | 'primary_color' | 'accent_color' | 'logo_url'> }) {
  const primary = isHex(b.primary_color) ? b.primary_color : '#2563eb';
  const accent = isHex(b.accent_color) ? b.accent_color : '#1e40af';
  const name = (b.display_name || shell.name).slice(0, 28);
  const logo = b.logo_url?.startsWith('https://') ? b.logo_url : null;
  const label = `Preview of the booking page and chat widget: header and buttons in ${primary}, `
    + `confirm button and customer messages in ${accent}.`;
  return (
    <figure class="preview">
      <svg role="img" aria-label={label} viewBox="0 0 360 250" width="100%" font-family="system-ui, sans-serif" font-size="12">
        <rect x="0.5" y="0.5" width="200" height="249" rx="6" fill="#f9fafb" stroke="#d1d5db" />
        <path d="M0.5 36V6.5a6 6 0 0 1 6-6h188a6 6 0 0 1 6 6V36z" fill={primary} class="pv-head" data-fill={primary} />
        {logo && <image href={logo} x="10" y="8" width="20" height="20" />}
        <text x={logo ? 36 : 12} y="23" fill="#fff" font-weight="700">{name}</text>
        <text x="12" y="60" fill="#111827" font-weight="600">Book an appointment</text>
        {['09:00', '09:30', '10:00'].map((t, i) => (
          <g key={t}>
            <rect x={12 + i * 60} y="74" width="52" height="24" rx="4" fill={i === 1 ? primary : '#fff'} stroke={primary} />
            <text x={38 + i * 60} y="90" text-anchor="middle" fill={i === 1 ? '#fff' : '#111827'}>{t}</text>
          </g>
        ))}
        <rect x="12" y="112" width="120" height="28" rx="4" fill={accent} />
        <text x="72" y="130" text-anchor="middle" fill="#fff" font-weight="600">Confirm booking</text>
        <text x="12" y="238" fill="#6b7280" font-size="10">Booking page</text>
        <rect x="212" y="30" width="146" height="150" rx="8" fill="#fff" stroke="#d1d5db" />
        <path d="M212.5 58V38a8 8 0 0 1 8-8h130a8 8 0 0 1 8 8v20z" fill={primary} />
        <text x="222" y="48" fill="#fff" font-weight="600">{name.slice(0, 18)}</text>
        <rect x="220" y="68" width="110" height="24" rx="12" fill="#f3f4f6" />
        <text x="230" y="84" fill="#111827" font-size="11">Hi! How can I help?</text>
        <rect x="240" y="100" width="110" height="24" rx="12" fill={accent} />
        <text x="248" y="116" fill="#fff" font-size="11">A cut on Friday?</text>
        <circle cx="336" cy="214" r="20" fill={primary} />
        <path d="M326 206h20v12h-12l-6 5v-5h-2z" fill="#fff" />
        <text x="212" y="238" fill="#6b7280" font-size="10">Chat widget</text>
      </svg>
    </figure>
  );
}

function BrandForm() {
  const cur = useLoad(() => api.get<Branding>('/v1/admin/branding'));
  return <Async state={cur}>{(d) => <BrandEdit key={d.version} initial={d} reload={cur.reload} />}</Async>;
}

function BrandEdit({ initial, reload }: { initial: Branding; reload: () => void }) {
  const [b, setB] = useState(initial);
  const [warnings, setWarnings] = useState(initial.warnings ?? []);
  const s = useSubmit();
  const set = (k: keyof Branding) => (v: string) => setB({ ...b, [k]: v });
  const editable = can('profile', 'write');
  const save = (version?: number) => void s.run(async () => {
    const r = await api.patch<Branding>('/v1/admin/branding', {
      display_name: b.display_name.trim(), primary_color: b.primary_color, accent_color: b.accent_color,
      logo_url: b.logo_url?.trim() || null,
    }, { version });
    setB(r);
    setWarnings(r.warnings ?? []);
    say(r.warnings?.length ? 'Saved, with a warning.' : 'Brand saved.');
  });
  return (
    <section class="card" aria-labelledby="brand-h">
      <h2 id="brand-h">Brand</h2>
      <div class="brand-grid">
        <form onSubmit={(e) => { e.preventDefault(); save(b.version); }}>
          <fieldset disabled={!editable}>
            <legend class="sr-only">Brand</legend>
            <TextField label="Display name" name="display_name" value={b.display_name} onValue={set('display_name')}
              error={s.error} required maxLength={100} hint="Shown to customers in the widget and booking page." />
            <ColourField label="Main colour" name="primary_color" value={b.primary_color} onValue={set('primary_color')} error={s.error} />
            <ColourField label="Accent colour" name="accent_color" value={b.accent_color} onValue={set('accent_color')} error={s.error} />
            <TextField label="Logo address" name="logo_url" type="url" value={b.logo_url ?? ''} onValue={set('logo_url')}
              error={s.error} maxLength={2048} pattern="https://.*" hint="An https:// address of a square image." />
          </fieldset>
          {warnings.length > 0 && (
            <div class="warn" role="alert">
              <p><strong>Saved, but check this:</strong></p>
              <ul>{warnings.map((w) => <li key={w.field}>{w.field === 'primary_color' ? 'Main colour' : w.field === 'accent_color' ? 'Accent colour' : w.field}: {w.issue}</li>)}</ul>
            </div>
          )}
          <FormError error={s.error} onReload={reload} onOverwrite={() => save()} />
          {editable && <button type="submit" class="primary" disabled={s.busy}>Save brand</button>}
        </form>
        <Preview b={b} />
      </div>
    </section>
  );
}

/* ---- widget origins and snippet ----------------------------------------- */

export const snippet = () => `<script src="${location.origin}/widget.js" async></script>`;

function Widget() {
  const list = useLoad(() => api.get<Page<Origin>>('/v1/admin/widget-origins?limit=100'));
  const [origin, setOrigin] = useState('');
  const s = useSubmit();
  const del = useSubmit();
  const code = snippet();
  return (
    <section class="card" aria-labelledby="widget-h">
      <h2 id="widget-h">Chat widget</h2>
      <p>Paste this line before <code>&lt;/body&gt;</code> on your website:</p>
      <pre class="snippet" aria-label="Widget snippet"><code>{code}</code></pre>
      <CopyButton text={code} label="Copy snippet" />
      <h3>Websites allowed to show it</h3>
      <p class="hint">Only these sites (and this business's own addresses) may open the chat.</p>
      <Can resource="channels">
        <form class="row" onSubmit={(e) => {
          e.preventDefault();
          void s.run(async () => {
            await api.post('/v1/admin/widget-origins', { origin: origin.trim() });
            say(`${origin.trim()} may now show the widget.`);
            setOrigin('');
            list.reload();
          });
        }}>
          <TextField label="Website address" name="origin" type="url" value={origin} onValue={setOrigin} error={s.error}
            required maxLength={300} placeholder="https://www.example.com" hint="Scheme and host only, no path." />
          <button type="submit" class="primary" disabled={s.busy}>Add website</button>
        </form>
        <FormError error={s.error?.field('origin') ? null : s.error} />
        <FormError error={del.error} />
      </Can>
      <Async state={list}>{(d) => d.items.length === 0 ? <Empty>No other websites yet.</Empty> : (
        <ul class="plain-list origins">{d.items.map((o) => (
          <li key={o.id}>
            <code>{o.origin}</code>
            <Can resource="channels">
              <button type="button" class="danger" disabled={del.busy} aria-label={`Remove ${o.origin}`}
                onClick={() => void del.run(async () => {
                  await api.del(`/v1/admin/widget-origins/${o.id}`);
                  say(`${o.origin} was removed.`);
                  list.reload();
                })}>Remove</button>
            </Can>
          </li>
        ))}</ul>
      )}</Async>
    </section>
  );
}

/* ---- domains ------------------------------------------------------------- */

function DomainRow({ d, target, onChanged }: { d: Domain; target?: string; onChanged: () => void }) {
  const s = useSubmit();
  const kind = { pending: 'warn', verified: 'ok', failed: 'alert' }[d.verification_state];
  return (
    <li class="domain">
      <div class="row">
        <strong>{d.hostname}</strong>
        {d.kind === 'subdomain' ? <Badge>your address</Badge> : <Badge kind={kind}>{d.verification_state}</Badge>}
      </div>
      {d.kind === 'custom' && d.verification_state !== 'verified' && d.verification_token && (
        <div class="dns">
          <p>Add these records at your domain's DNS provider, then check:</p>
          <div class="table-wrap" tabIndex={0} role="region" aria-label="DNS records">
            <table>
              <thead><tr><th scope="col">Type</th><th scope="col">Name</th><th scope="col">Value</th></tr></thead>
              <tbody>
                <tr><td>TXT</td><td><code>_receptionist.{d.hostname}</code></td><td><code class="token">{d.verification_token}</code></td></tr>
                {target && <tr><td>CNAME</td><td><code>{d.hostname}</code></td><td><code>{target}</code></td></tr>}
              </tbody>
            </table>
          </div>
        </div>
      )}
      {d.kind === 'custom' && (
        <Can resource="channels">
          <div class="row">
            {d.verification_state !== 'verified' && (
              <button type="button" disabled={s.busy} onClick={() => void s.run(async () => {
                const r = await api.post<Domain>(`/v1/admin/domains/${d.id}/verify`);
                say(r.verification_state === 'verified' ? `${d.hostname} is verified.` : `The TXT record of ${d.hostname} was not found yet.`,
                  r.verification_state === 'verified' ? 'ok' : 'error');
                onChanged();
              })}>Check {d.hostname}</button>
            )}
            <button type="button" class="danger" disabled={s.busy} aria-label={`Remove ${d.hostname}`} onClick={() => {
              if (!confirmAction(`Remove ${d.hostname}? Customers using it will no longer reach you there.`)) return;
              void s.run(async () => { await api.del(`/v1/admin/domains/${d.id}`); onChanged(); });
            }}>Remove</button>
          </div>
          <FormError error={s.error} />
        </Can>
      )}
    </li>
  );
}

function Domains() {
  const list = useLoad(() => api.get<Page<Domain>>('/v1/admin/domains?limit=100'));
  const [host, setHost] = useState('');
  const s = useSubmit();
  return (
    <section class="card" aria-labelledby="dom-h">
      <h2 id="dom-h">Domains</h2>
      <Can resource="channels">
        <form class="row" onSubmit={(e) => {
          e.preventDefault();
          void s.run(async () => {
            await api.post('/v1/admin/domains', { hostname: host.trim().toLowerCase() });
            setHost('');
            list.reload();
          });
        }}>
          <TextField label="Your own domain" name="hostname" value={host} onValue={setHost} error={s.error} required
            maxLength={253} placeholder="book.example.com" hint="A host name you control, e.g. book.yoursalon.com." />
          <button type="submit" class="primary" disabled={s.busy}>Add domain</button>
        </form>
        <FormError error={s.error?.field('hostname') ? null : s.error} />
      </Can>
      <Async state={list}>{(d) => {
        // Custom domains point at the business's own platform address.
        const sub = d.items.find((x) => x.kind === 'subdomain')?.hostname
          ?? (d.items.some((x) => x.hostname === location.hostname) ? undefined : location.hostname);
        return d.items.length === 0 ? <Empty>No domains.</Empty> : (
          <ul class="plain-list domains">{d.items.map((x) => <DomainRow key={x.id} d={x} target={sub} onChanged={list.reload} />)}</ul>
        );
      }}</Async>
    </section>
  );
}

export default function Brand() {
  return (
    <section class="channels">
      <PageHeader title="Brand and channels" />
      {can('profile', 'read') && <BrandForm />}
      <Widget />
      <Domains />
      <Calendars />
      <Sms />
    </section>
  );
}
