// business-reminders.tsx — Business › Reminders: when reminders go out by
// e-mail and by SMS, quiet hours, and whether they ask the customer to
// confirm (GET/PUT /v1/admin/reminders/settings). Read-only without
// profile:write.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { can, tz } from '../state';
import { Async, Checkbox, FormError, say, TextField, useLoad, useSubmit } from '../ui';

interface Channel { enabled: boolean; offsets_minutes: number[] }
export interface ReminderSettings {
  email: Channel; sms: Channel;
  quiet_hours: { enabled: boolean; start: string; end: string };
  ask_confirmation: boolean; version: number; updated_at?: string | null;
}

/** 1440 → "24h", 120 → "2h", 90 → "90m", 4320 → "3d". */
export function offsetText(m: number): string {
  if (m % 1440 === 0 && m > 1440) return `${m / 1440}d`;
  if (m % 60 === 0) return `${m / 60}h`;
  return `${m}m`;
}

/** "24h, 2h, 30m, 3d" → minutes; a bare number is hours. null when a part is not one. */
export function parseOffsets(s: string): number[] | null {
  const parts = s.split(/[,\s]+/).filter(Boolean);
  const out: number[] = [];
  for (const p of parts) {
    const m = /^(\d{1,5})\s*(m|min|h|d)?$/i.exec(p);
    if (!m) return null;
    const n = Number(m[1]);
    const unit = (m[2] || 'h').toLowerCase();
    out.push(unit === 'd' ? n * 1440 : unit === 'h' ? n * 60 : n);
  }
  return out;
}

interface Draft { s: ReminderSettings; email: string; sms: string }

const draftOf = (s: ReminderSettings): Draft => ({
  s, email: s.email.offsets_minutes.map(offsetText).join(', '), sms: s.sms.offsets_minutes.map(offsetText).join(', '),
});

export function Reminders() {
  const state = useLoad((signal) => api.get<ReminderSettings>('/v1/admin/reminders/settings', { signal }));
  const [draft, setDraft] = useState<Draft | null>(null);
  const sub = useSubmit();
  const ro = !can('profile', 'write');
  return (
    <Async state={state}>
      {(loaded) => {
        const d = draft ?? draftOf(loaded);
        const set = (patch: Partial<ReminderSettings>) => setDraft({ ...d, s: { ...d.s, ...patch } });
        const e = sub.error;
        const submit = async (ev: Event) => {
          ev.preventDefault();
          const email = parseOffsets(d.email);
          const sms = parseOffsets(d.sms);
          if (!email || !sms) {
            const details = [!email && { field: 'email.offsets_minutes', issue: 'write times like 24h, 2h, 30m' },
              !sms && { field: 'sms.offsets_minutes', issue: 'write times like 24h, 2h, 30m' }]
              .filter(Boolean) as { field: string; issue: string }[];
            await sub.run(() => Promise.reject(new ApiError(400, 'INVALID_ARGUMENT', 'Some fields are invalid.', details)));
            return;
          }
          const { updated_at: _u, ...body } = d.s;
          const saved = await sub.run(() => api.put<ReminderSettings>('/v1/admin/reminders/settings', {
            ...body, email: { ...d.s.email, offsets_minutes: email }, sms: { ...d.s.sms, offsets_minutes: sms },
          }));
          if (saved) {
            state.set(saved);
            setDraft(null);
            say('Reminder settings saved.');
          }
        };
        return (
          <form class="card" onSubmit={submit} aria-labelledby="rem-h">
            <h2 id="rem-h">Reminders</h2>
            <p class="hint">Before each booking, customers get reminders at these times before the start
              (up to 4 per channel, from 15 minutes to 7 days; e.g. <code>24h, 2h</code>). Texts go only to
              customers who agreed to them.</p>
            <fieldset disabled={ro} class="plain">
              <fieldset>
                <legend>E-mail</legend>
                <Checkbox label="Send e-mail reminders" checked={d.s.email.enabled}
                  onValue={(v) => set({ email: { ...d.s.email, enabled: v } })} />
                <TextField label="E-mail reminders before the start" name="email.offsets_minutes" value={d.email}
                  hint="Comma-separated: 24h, 2h, 30m, 3d. Empty: none." onValue={(v) => setDraft({ ...d, email: v })} error={e} />
              </fieldset>
              <fieldset>
                <legend>SMS</legend>
                <Checkbox label="Send text reminders" checked={d.s.sms.enabled}
                  onValue={(v) => set({ sms: { ...d.s.sms, enabled: v } })} />
                <TextField label="Text reminders before the start" name="sms.offsets_minutes" value={d.sms}
                  hint="Comma-separated: 24h, 2h, 30m, 3d. Empty: none." onValue={(v) => setDraft({ ...d, sms: v })} error={e} />
              </fieldset>
              <fieldset>
                <legend>Quiet hours</legend>
                <Checkbox label="Never send reminders during quiet hours" checked={d.s.quiet_hours.enabled}
                  hint={`A reminder due then goes out earlier, before quiet hours begin. Times in ${tz}.`}
                  onValue={(v) => set({ quiet_hours: { ...d.s.quiet_hours, enabled: v } })} />
                <div class="row">
                  <TextField label="Quiet from" name="quiet_hours.start" type="time" value={d.s.quiet_hours.start} required
                    onValue={(v) => set({ quiet_hours: { ...d.s.quiet_hours, start: v.slice(0, 5) } })} error={e} />
                  <TextField label="Quiet until" name="quiet_hours.end" type="time" value={d.s.quiet_hours.end} required
                    onValue={(v) => set({ quiet_hours: { ...d.s.quiet_hours, end: v.slice(0, 5) } })} error={e} />
                </div>
              </fieldset>
              <Checkbox label="Ask customers to confirm" checked={d.s.ask_confirmation}
                hint="Reminders carry a confirmation link (or reply C by text); unconfirmed bookings get one more nudge before the last reminder."
                onValue={(v) => set({ ask_confirmation: v })} />
            </fieldset>
            <FormError error={e} />
            {ro ? <p class="hint">You can see these settings; changing them needs the business profile permission.</p>
              : <button type="submit" class="primary" disabled={sub.busy}>Save reminders</button>}
          </form>
        );
      }}
    </Async>
  );
}
