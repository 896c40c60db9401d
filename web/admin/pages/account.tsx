// account.tsx — My account: two-step sign-in (enrol with a QR code or the
// secret typed by hand, confirm with a code, the recovery codes shown this
// once, turn off with password and code), push notifications for this
// browser, and signing out everywhere. When the business has made 2FA
// mandatory and the user has none, the app sends them here (app.tsx) and
// this page says why.
import { useEffect, useState } from 'preact/hooks';
import { encode } from 'uqr';
import { api, rawFetch } from '../api';
import { signOut } from '../app';
import { disablePush, enablePush, pushSupported } from '../push';
import { loadSession, me, shell } from '../state';
import { Badge, CopyButton, Dialog, FormError, PageHeader, TextField, say, useSubmit } from '../ui';

interface Enrolment { secret: string; otpauth_uri: string; digits: number; period: number }

/** The QR code as one SVG path of dark modules (no inline styles: CSP). */
export function QrCode({ text, label }: { text: string; label: string }) {
  const { data, size } = encode(text, { ecc: 'M', border: 2 });
  let d = '';
  data.forEach((row, y) => row.forEach((dark, x) => { if (dark) d += `M${x} ${y}h1v1h-1z`; }));
  return (
    <svg class="qr" role="img" aria-label={label} viewBox={`0 0 ${size} ${size}`} width="200" height="200"
      shape-rendering="crispEdges">
      <rect width={size} height={size} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}

/** The secret in groups of four, easier to type. */
const grouped = (s: string) => s.replace(/(.{4})/g, '$1 ').trim();

function Enrol({ onDone }: { onDone: (codes: string[]) => void }) {
  const [enrol, setEnrol] = useState<Enrolment | null>(null);
  const [code, setCode] = useState('');
  const start = useSubmit();
  const confirm = useSubmit();
  if (!enrol) {
    return (
      <div>
        <p>Use an authenticator app (for example on your phone) to make a new code every 30 seconds.
          You will need it, after your password, each time you sign in.</p>
        <FormError error={start.error} />
        <button type="button" class="primary" disabled={start.busy}
          onClick={() => void start.run(async () => setEnrol(await api.post<Enrolment>('/v1/auth/2fa/enrol')))}>
          Set up two-step sign-in
        </button>
      </div>
    );
  }
  return (
    <form class="enrol" onSubmit={(e) => {
      e.preventDefault();
      void confirm.run(async () => {
        const r = await api.post<{ recovery_codes: string[] }>('/v1/auth/2fa/confirm', { code: code.trim() });
        onDone(r.recovery_codes);
      });
    }}>
      <ol>
        <li>
          <p>Scan this code with your authenticator app:</p>
          <QrCode text={enrol.otpauth_uri} label="QR code for your authenticator app" />
        </li>
        <li>
          <p>Or type this key into the app by hand ({enrol.digits} digits, every {enrol.period} seconds):</p>
          <p><code class="secret" data-secret={enrol.secret}>{grouped(enrol.secret)}</code>{' '}
            <CopyButton text={enrol.secret} label="Copy key" /></p>
        </li>
        <li>
          <TextField label="Code from your authenticator app" name="code" value={code} onValue={setCode}
            error={confirm.error} required inputMode="numeric" autoComplete="one-time-code"
            pattern="[0-9 ]{6,8}" maxLength={8} hint="The six digits it shows now." />
        </li>
      </ol>
      <FormError error={confirm.error?.field('code') ? null : confirm.error} />
      <button type="submit" class="primary" disabled={confirm.busy}>Turn on two-step sign-in</button>
    </form>
  );
}

function Disable({ onDone }: { onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const s = useSubmit();
  return (
    <>
      <button type="button" class="danger" onClick={() => setOpen(true)}>Turn off two-step sign-in</button>
      <Dialog title="Turn off two-step sign-in" open={open} onClose={() => setOpen(false)}>
        <form onSubmit={(e) => {
          e.preventDefault();
          void s.run(async () => {
            await api.post('/v1/auth/2fa/disable', { password, code: code.trim() });
            setOpen(false);
            onDone();
          });
        }}>
          <p>Your password and a current code (or a recovery code) confirm it is you.</p>
          <TextField label="Password" name="password" type="password" value={password} onValue={setPassword}
            error={s.error} required autoComplete="current-password" />
          <TextField label="Code or recovery code" name="code" value={code} onValue={setCode}
            error={s.error} required autoComplete="one-time-code" />
          <FormError error={s.error} />
          <button type="submit" class="danger" disabled={s.busy}>Turn off</button>
        </form>
      </Dialog>
    </>
  );
}

function TwoStep() {
  const m = me.value;
  const [codes, setCodes] = useState<string[] | null>(null);
  const on = !!m?.user.totp_enabled;
  return (
    <section class="card" aria-labelledby="twostep-h">
      <h2 id="twostep-h">Two-step sign-in {on ? <Badge kind="ok">On</Badge> : <Badge kind="warn">Off</Badge>}</h2>
      {codes ? (
        <div class="recovery">
          <p class="ok" role="status">Two-step sign-in is on.</p>
          <p><strong>Recovery codes.</strong> Each signs you in once if you lose your phone. Save them
            somewhere safe now: they are not shown again.</p>
          <ul class="codes" aria-label="Recovery codes">{codes.map((c) => <li key={c}><code>{c}</code></li>)}</ul>
          <CopyButton text={codes.join('\n')} label="Copy recovery codes" />{' '}
          <button type="button" onClick={() => setCodes(null)}>I have saved them</button>
        </div>
      ) : on ? (
        <div>
          <p>You sign in with your password and a code from your authenticator app.</p>
          <Disable onDone={() => { say('Two-step sign-in is off.'); void loadSession(); }} />
        </div>
      ) : (
        <Enrol onDone={(c) => { setCodes(c); void loadSession(); }} />
      )}
    </section>
  );
}

type PushState = 'checking' | 'unsupported' | 'denied' | 'server-off' | 'on' | 'off' | 'no-access';

/** Push notifications for this browser: what the browser and server allow,
 * then on or off. */
function Push() {
  const [state, setState] = useState<PushState>('checking');
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void (async () => {
      if (!pushSupported()) return setState('unsupported');
      const k = await rawFetch('/v1/admin/push/public-key', { method: 'GET' }).catch(() => null);
      if (k?.status === 503) return setState('server-off');
      if (k?.status === 403) return setState('no-access');
      if (Notification.permission === 'denied') return setState('denied');
      const reg = await navigator.serviceWorker.getRegistration('/admin/');
      const sub = await reg?.pushManager.getSubscription().catch(() => null);
      setState(sub ? 'on' : 'off');
    })();
  }, []);
  const turnOn = async () => {
    setBusy(true);
    setMessage('');
    try {
      const r = await enablePush(rawFetch);
      if (r.ok) { setState('on'); say('Notifications are on for this browser.'); }
      else if (r.reason === 'failed') setMessage(r.message);
      else setState(r.reason);
    } catch (e) {
      setMessage(`This browser could not subscribe: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  const turnOff = async () => {
    setBusy(true);
    try {
      await disablePush(rawFetch);
      setState('off');
      say('Notifications are off for this browser.');
    } catch (e) {
      setMessage(`Could not turn them off: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  const text: Record<PushState, string> = {
    checking: 'Checking what this browser supports…',
    unsupported: 'This browser cannot receive push notifications. On a phone, add this app to the home screen first.',
    denied: 'Notifications are blocked for this site in the browser\'s settings. Allow them there, then come back.',
    'server-off': 'Push notifications are not set up on this server.',
    'no-access': 'Your role does not receive notifications.',
    on: 'This browser shows a notification when a conversation waits for a person, and for new and cancelled bookings.',
    off: 'Get a notification on this device when a conversation waits for a person, and for new and cancelled bookings.',
  };
  return (
    <section class="card" aria-labelledby="push-h">
      <h2 id="push-h">Notifications on this device {state === 'on' && <Badge kind="ok">On</Badge>}</h2>
      <p class="push-state" data-state={state}>{text[state]}</p>
      {message && <p class="form-error" role="alert">{message}</p>}
      {state === 'off' && <button type="button" class="primary" disabled={busy} onClick={() => void turnOn()}>Turn on notifications</button>}
      {state === 'on' && <button type="button" disabled={busy} onClick={() => void turnOff()}>Turn off notifications</button>}
    </section>
  );
}

export default function Account() {
  const m = me.value;
  return (
    <section class="account">
      <PageHeader title="My account" />
      {m?.mfa_required && !m.user.totp_enabled && (
        <div class="warn" role="alert">
          <p><strong>{shell.name || 'This business'} requires two-step sign-in.</strong> Set it up below to
            open the rest of the app.</p>
        </div>
      )}
      <section class="card" aria-labelledby="me-h">
        <h2 id="me-h">You</h2>
        <dl class="facts">
          <dt>E-mail</dt><dd>{m?.user.email}</dd>
          {m?.user.name && <><dt>Name</dt><dd>{m.user.name}</dd></>}
        </dl>
      </section>
      <TwoStep />
      {shell.kind === 'tenant' && !(m?.mfa_required && !m.user.totp_enabled) && <Push />}
      <section class="card" aria-labelledby="out-h">
        <h2 id="out-h">Sessions</h2>
        <p>Signs you out on every device and browser, this one included.</p>
        <button type="button" onClick={() => void signOut(true)}>Sign out everywhere</button>
      </section>
    </section>
  );
}
