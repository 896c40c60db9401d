// setup.tsx — "Get started": the checklist a new business follows, each
// step done or not from real data (the API), each linking to where it is
// done. Two steps are done here: allowing the website that will carry the
// widget, and copying the widget's snippet.
//
// What "done" means (the server has no onboarding state of its own):
//   profile   — it has a way to reach the business (phone or e-mail);
//   hours     — at least one opening range;
//   services  — at least one bookable service;
//   staff     — an active staff member with a weekly schedule who performs a service;
//   calendar  — a connected calendar (optional);
//   widget    — at least one website allowed to embed the widget;
//   live      — the first booking has arrived.
import { useState } from 'preact/hooks';
import { api, type Page } from '../api';
import { can, shell } from '../state';
import { Async, CopyButton, FormError, PageHeader, say, TextField, useLoad, useSubmit } from '../ui';

interface Step { id: string; title: string; done: boolean | null; optional?: boolean; href: string; what: string }

const ok = <T,>(p: Promise<T>) => p.then((v) => v, () => null);

async function check(signal: AbortSignal): Promise<Step[]> {
  const o = { signal };
  const [profile, hours, services, staff, cals, origins, bookings] = await Promise.all([
    ok(api.get<{ phone: string | null; email: string | null; timezone: string }>('/v1/admin/profile', o)),
    ok(api.get<Page<unknown>>('/v1/admin/hours?limit=1', o)),
    ok(api.get<Page<{ id: string }>>('/v1/admin/services?limit=1&active=true', o)),
    ok(api.get<Page<{ id: string }>>('/v1/admin/staff?limit=20&active=true', o)),
    ok(api.get<Page<unknown>>('/v1/admin/calendar/connections', o)),
    ok(api.get<Page<unknown>>('/v1/admin/widget-origins?limit=1', o)),
    ok(api.get<Page<unknown>>('/v1/admin/bookings?limit=1', o)),
  ]);
  let staffDone: boolean | null = staff ? false : null;
  for (const m of staff?.items ?? []) {
    const [s, sv] = await Promise.all([
      ok(api.get<{ intervals: unknown[] }>(`/v1/admin/staff/${m.id}/schedule`, o)),
      ok(api.get<{ service_ids: string[] }>(`/v1/admin/staff/${m.id}/services`, o)),
    ]);
    if (s && s.intervals.length > 0 && sv && sv.service_ids.length > 0) { staffDone = true; break; }
  }
  const b = shell.base;
  const has = (p: Page<unknown> | null) => (p ? p.items.length > 0 : null);
  return [
    { id: 'profile', title: 'Profile and time zone', done: profile ? !!(profile.phone || profile.email) : null, href: `${b}business/profile`,
      what: profile ? `Check your time zone (${profile.timezone}) and add a phone number or e-mail.` : 'Your name, contact details and time zone.' },
    { id: 'hours', title: 'Opening hours', done: has(hours), href: `${b}business/hours`, what: 'When customers can book.' },
    { id: 'services', title: 'Services', done: has(services), href: `${b}catalogue/services`, what: 'What customers can book: duration and price.' },
    { id: 'staff', title: 'Staff', done: staffDone, href: `${b}catalogue/staff`, what: 'Who does the work: a weekly schedule and the services each performs.' },
    { id: 'calendar', title: 'Connect a calendar', done: has(cals), optional: true, href: `${b}brand`, what: 'Optional: keep Google Calendar or Cal.com in step.' },
    { id: 'widget', title: 'Add the widget to your website', done: has(origins), href: '#widget', what: 'Allow your website, then copy the snippet below into it.' },
    { id: 'live', title: 'Go live', done: has(bookings), href: `${b}bookings`, what: 'Share your booking page; this step is done when your first booking arrives.' },
  ];
}

export default function Setup() {
  const state = useLoad(check);
  return (
    <section>
      <PageHeader title="Get started" />
      <Async state={state}>
        {(steps) => {
          const need = steps.filter((s) => !s.optional);
          const left = need.filter((s) => !s.done).length;
          return (
            <>
              <p class={left === 0 ? 'ok' : 'hint'} role="status">
                {left === 0 ? 'All done: your business is live.' : `${need.length - left} of ${need.length} steps done.`}
              </p>
              <ol class="checklist">
                {steps.map((s) => (
                  <li key={s.id} class={s.done ? 'done' : ''} data-step={s.id}>
                    <span class={`badge ${s.done ? 'ok' : 'warn'}`}>{s.done === null ? 'Unknown' : s.done ? 'Done' : s.optional ? 'Optional' : 'To do'}</span>
                    <div>
                      <a href={s.href}>{s.title}</a>
                      <p class="hint">{s.what}</p>
                    </div>
                  </li>
                ))}
              </ol>
              <Widget changed={state.reload} />
              <section class="card">
                <h2>Your booking page</h2>
                <p>Customers can also book at <a href={`${location.origin}/book`}>{location.host}/book</a>.</p>
                <CopyButton text={`${location.origin}/book`} label="Copy the booking page link" />
              </section>
            </>
          );
        }}
      </Async>
    </section>
  );
}

function Widget({ changed }: { changed: () => void }) {
  const [origin, setOrigin] = useState('');
  const sub = useSubmit();
  const snippet = `<script src="${location.origin}/widget.js" async></script>`;
  return (
    <section class="card" id="widget">
      <h2>The chat widget</h2>
      {can('channels', 'write') && (
        <form onSubmit={async (ev) => {
          ev.preventDefault();
          const r = await sub.run(() => api.post('/v1/admin/widget-origins', { origin: origin.trim() }));
          if (r) { setOrigin(''); say('Website allowed.'); changed(); }
        }}>
          <div class="row">
            <TextField label="Your website's address" name="origin" type="url" required placeholder="https://www.example.com"
              hint="Only sites you allow can show the widget." value={origin} onValue={setOrigin} error={sub.error} />
            <button type="submit" disabled={sub.busy}>Allow this website</button>
          </div>
          <FormError error={sub.error} />
        </form>
      )}
      <p>Paste this line into every page of your website, before <code>&lt;/body&gt;</code>:</p>
      <pre><code id="snippet">{snippet}</code></pre>
      <CopyButton text={snippet} label="Copy the snippet" />
    </section>
  );
}
