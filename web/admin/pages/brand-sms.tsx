// brand-sms.tsx — text messages on the Brand and channels page: which
// Twilio account texts go out on (the business's own, or the platform's),
// its sender and the number customers text, this month's texts against the
// plan, and the webhook URL to set on the number. The auth token is
// write-only: sent once, never shown again (only "set" and its last 4).
import { useState } from 'preact/hooks';
import { api } from '../api';
import { Async, Badge, Can, FormError, TextField, confirmAction, say, useLoad, useSubmit } from '../ui';

interface SmsSettings {
  account: 'tenant' | 'platform' | 'none';
  account_sid: string | null;
  auth_token: { set: boolean; last4: string | null };
  messaging_service_sid: string | null;
  from_number: string | null;
  inbound_number: string | null;
  platform_account: boolean;
  usage: { month: string; sent: number; segments: number; limit: number | null };
  webhooks: { inbound_url: string; status_callback_url: string };
}

const orNull = (s: string) => (s.trim() === '' ? null : s.trim());

function SmsForm({ initial, onSaved }: { initial: SmsSettings; onSaved: (s: SmsSettings) => void }) {
  const [sid, setSid] = useState(initial.account_sid ?? '');
  const [token, setToken] = useState('');
  const [service, setService] = useState(initial.messaging_service_sid ?? '');
  const [from, setFrom] = useState(initial.from_number ?? '');
  const [inbound, setInbound] = useState(initial.inbound_number ?? '');
  const s = useSubmit();
  const del = useSubmit();
  return (
    <form aria-label="SMS settings" onSubmit={(e) => {
      e.preventDefault();
      void s.run(async () => {
        const body: Record<string, unknown> = {
          account_sid: orNull(sid), messaging_service_sid: orNull(service),
          from_number: orNull(from), inbound_number: orNull(inbound),
        };
        if (token.trim() !== '') body.auth_token = token.trim();
        const r = await api.put<SmsSettings>('/v1/admin/sms/settings', body);
        setToken('');
        say('SMS settings saved.');
        onSaved(r);
      });
    }}>
      <TextField label="Twilio Account SID" name="account_sid" value={sid} onValue={setSid} error={s.error}
        autoComplete="off" maxLength={34}
        hint="Leave empty to send on the platform's account. Starts with AC." />
      <TextField label="Auth token" name="auth_token" type="password" value={token} onValue={setToken} error={s.error}
        autoComplete="off" maxLength={128}
        hint={initial.auth_token.set ? `Set (ends in ${initial.auth_token.last4}). Leave empty to keep it.` :
          'Stored encrypted and never shown again.'} />
      <TextField label="Messaging Service SID" name="messaging_service_sid" value={service} onValue={setService}
        error={s.error} autoComplete="off" maxLength={34}
        hint="Preferred sender: carries your A2P 10DLC campaign. Starts with MG." />
      <TextField label="From number" name="from_number" type="tel" value={from} onValue={setFrom} error={s.error}
        autoComplete="off" maxLength={16} hint="Used when there is no Messaging Service, e.g. +15551234567." />
      <TextField label="Number customers text" name="inbound_number" type="tel" value={inbound} onValue={setInbound}
        error={s.error} autoComplete="off" maxLength={16}
        hint="Replies to this number reach your receptionist, e.g. +15551234567." />
      <FormError error={['account_sid', 'auth_token', 'messaging_service_sid', 'from_number', 'inbound_number']
        .some((f) => s.error?.field(f)) ? null : s.error} />
      <FormError error={del.error} />
      <div class="row">
        <button type="submit" class="primary" disabled={s.busy}>Save SMS settings</button>
        {(initial.account_sid || initial.from_number || initial.messaging_service_sid || initial.inbound_number) && (
          <button type="button" class="danger" disabled={del.busy} onClick={() => {
            if (!confirmAction('Remove these SMS settings? Texts go out on the platform\'s account, if it has one.')) return;
            void del.run(async () => {
              await api.del('/v1/admin/sms/settings');
              say('SMS settings removed.');
              onSaved(await api.get<SmsSettings>('/v1/admin/sms/settings'));
            });
          }}>Remove</button>
        )}
      </div>
    </form>
  );
}

function Summary({ d }: { d: SmsSettings }) {
  const { sent, limit, month } = d.usage;
  return (
    <>
      <p>
        {d.account === 'tenant' && <>Texts go out on <strong>your Twilio account</strong> <Badge kind="ok">active</Badge></>}
        {d.account === 'platform' && <>Texts go out on <strong>the platform's account</strong> <Badge kind="ok">active</Badge></>}
        {d.account === 'none' && <>No SMS account is set up: texts wait in the outbox. <Badge kind="warn">off</Badge></>}
      </p>
      <p class="sms-usage">
        {limit === null ? `${sent} texts sent in ${month}.` : `${sent} of ${limit} texts sent in ${month}.`}
        {limit !== null && sent >= limit && <Badge kind="alert">limit reached</Badge>}
      </p>
      <p class="hint sms-webhook">
        On your Twilio number, set "A message comes in" to <code>{d.webhooks.inbound_url}</code>.
        Customers can text STOP to opt out, START to opt back in and HELP for your contact details.
      </p>
    </>
  );
}

export function Sms() {
  const st = useLoad(() => api.get<SmsSettings>('/v1/admin/sms/settings'));
  const [saved, setSaved] = useState<SmsSettings | null>(null);
  return (
    <section class="card" aria-labelledby="sms-h">
      <h2 id="sms-h">Text messages (SMS)</h2>
      <Async state={st}>{(loaded) => {
        const d = saved ?? loaded;
        return (
          <>
            <Summary d={d} />
            <Can resource="channels">
              <SmsForm key={JSON.stringify(d)} initial={d} onSaved={setSaved} />
            </Can>
          </>
        );
      }}</Async>
    </section>
  );
}
