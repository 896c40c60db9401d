// auth.tsx — the pages before a session: sign in (password, then the
// second factor when the account has one: an authenticator code or a
// recovery code), forgot and reset password, accept an invitation. Tokens
// arrive in the link's fragment (#token=…), which never reaches a server
// log or a Referer header.
import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, ApiError } from '../api';
import { preloadStart, startPath } from '../routes';
import { loadSession, shell } from '../state';
import { FormError, TextField, useSubmit } from '../ui';
import { warmFormats } from '../format';

const base = shell.base;

function fragmentToken(): string {
  return new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
}

export function SignIn() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [step, setStep] = useState<'password' | 'totp' | 'recovery'>('password');
  const [code, setCode] = useState('');
  // The form is on screen with its handlers (bench/admin.mjs reads it).
  useEffect(() => {
    performance.mark?.('rcp-signin-ready');
    warmFormats();
  }, []);
  const f = useSubmit();
  const { route } = useLocation();
  const reset = new URLSearchParams(location.search).get('reset') === '1';
  const joined = new URLSearchParams(location.search).get('joined') === '1';

  const submit = async (e: Event) => {
    e.preventDefault();
    performance.mark?.('rcp-signin-submit');
    const body: Record<string, string> = { email, password };
    if (step === 'totp') body.totp_code = code.replace(/\s/g, '');
    if (step === 'recovery') body.recovery_code = code.trim();
    await f.run(async () => {
      try {
        const login = api.post('/v1/auth/login', body, { quiet401: true });
        preloadStart();
        await login;
      } catch (err) {
        if (err instanceof ApiError && step === 'password' && err.field('totp_code')) {
          setStep('totp');
          return;
        }
        throw err;
      }
      await loadSession();
      const next = new URLSearchParams(location.search).get('next');
      route(next && next.startsWith(base) && !next.startsWith(`${base}sign-in`) ? next : startPath(), true);
    });
  };

  return (
    <form onSubmit={submit} noValidate={false}>
      <h1 id="page-title" tabIndex={-1}>Sign in</h1>
      {reset && <p class="ok" role="status">Your password is changed. Sign in with the new one.</p>}
      {joined && <p class="ok" role="status">Your account is ready. Sign in to continue.</p>}
      {step === 'password' ? (
        <>
          <TextField label="E-mail" name="email" type="email" autoComplete="username" required
            value={email} onValue={setEmail} error={f.error} />
          <TextField label="Password" name="password" type="password" autoComplete="current-password" required
            value={password} onValue={setPassword} error={f.error} />
        </>
      ) : step === 'totp' ? (
        <TextField key="totp" label="Code from your authenticator app" name="totp_code" inputMode="numeric"
          autoComplete="one-time-code" pattern="[0-9 ]{6,8}" required autoFocus
          value={code} onValue={setCode} error={f.error} hint="Six digits; it changes every 30 seconds." />
      ) : (
        <TextField key="recovery" label="Recovery code" name="recovery_code" autoComplete="off" required autoFocus
          value={code} onValue={setCode} error={f.error} hint="One of the codes you saved when you turned on two-step sign-in. Each works once." />
      )}
      <FormError error={f.error && !f.error.details.some((d) => ['email', 'password', 'totp_code', 'recovery_code'].includes(d.field)) ? f.error : f.error?.status === 401 ? f.error : null} />
      <button type="submit" class="primary" disabled={f.busy}>{f.busy ? 'Signing in…' : 'Sign in'}</button>
      {step === 'totp' && <button type="button" class="link" onClick={() => { setStep('recovery'); setCode(''); }}>Use a recovery code instead</button>}
      {step === 'recovery' && <button type="button" class="link" onClick={() => { setStep('totp'); setCode(''); }}>Use the authenticator app instead</button>}
      <p><a href={`${base}forgot-password`}>Forgot your password?</a></p>
    </form>
  );
}

export function ForgotPassword() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const f = useSubmit();
  const submit = async (e: Event) => {
    e.preventDefault();
    await f.run(async () => {
      await api.post('/v1/auth/password/forgot', { email });
      setSent(true);
    });
  };
  if (sent) {
    return (
      <section>
        <h1 id="page-title" tabIndex={-1}>Check your e-mail</h1>
        <p role="status">If {email} has an account, a link to choose a new password is on its way. It works for one hour.</p>
        <p><a href={`${base}sign-in`}>Back to sign in</a></p>
      </section>
    );
  }
  return (
    <form onSubmit={submit}>
      <h1 id="page-title" tabIndex={-1}>Forgot your password?</h1>
      <p>We will e-mail you a link to choose a new one.</p>
      <TextField label="E-mail" name="email" type="email" autoComplete="username" required
        value={email} onValue={setEmail} error={f.error} />
      <FormError error={f.error} />
      <button type="submit" class="primary" disabled={f.busy}>Send the link</button>
      <p><a href={`${base}sign-in`}>Back to sign in</a></p>
    </form>
  );
}

const PASSWORD_HINT = 'At least 12 characters; not a common password or your e-mail.';

export function ResetPassword() {
  const [token] = useState(fragmentToken);
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const f = useSubmit();
  const { route } = useLocation();
  const submit = async (e: Event) => {
    e.preventDefault();
    if (password !== again) {
      f.setError(new ApiError(400, 'invalid', 'The two passwords differ.', [{ field: 'again', issue: 'does not match the password' }]));
      return;
    }
    await f.run(async () => {
      await api.post('/v1/auth/password/reset', { token, password }, { quiet401: true });
      route(`${base}sign-in?reset=1`, true);
    });
  };
  if (!token) {
    return (
      <section>
        <h1 id="page-title" tabIndex={-1}>This link is incomplete</h1>
        <p>Open the link from the e-mail again, or <a href={`${base}forgot-password`}>ask for a new one</a>.</p>
      </section>
    );
  }
  return (
    <form onSubmit={submit}>
      <h1 id="page-title" tabIndex={-1}>Choose a new password</h1>
      <TextField label="New password" name="password" type="password" autoComplete="new-password" required minLength={12}
        value={password} onValue={setPassword} error={f.error} hint={PASSWORD_HINT} />
      <TextField label="The same again" name="again" type="password" autoComplete="new-password" required
        value={again} onValue={setAgain} error={f.error} />
      <FormError error={f.error} />
      <button type="submit" class="primary" disabled={f.busy}>Set the password</button>
      <p>This signs you out on every device.</p>
    </form>
  );
}

export function AcceptInvitation() {
  const [token] = useState(fragmentToken);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [needCode, setNeedCode] = useState(false);
  const f = useSubmit();
  const { route } = useLocation();
  const submit = async (e: Event) => {
    e.preventDefault();
    const body: Record<string, string> = { token, password };
    if (name.trim()) body.name = name.trim();
    if (needCode && code) body.totp_code = code.replace(/\s/g, '');
    await f.run(async () => {
      try {
        await api.post('/v1/auth/invitations/accept', body, { quiet401: true });
      } catch (err) {
        if (err instanceof ApiError && err.field('totp_code')) setNeedCode(true);
        throw err;
      }
      route(`${base}sign-in?joined=1`, true);
    });
  };
  if (!token) {
    return (
      <section>
        <h1 id="page-title" tabIndex={-1}>This link is incomplete</h1>
        <p>Open the invitation link from the e-mail again, or ask whoever invited you to send a new one.</p>
      </section>
    );
  }
  return (
    <form onSubmit={submit}>
      <h1 id="page-title" tabIndex={-1}>Join {shell.name}</h1>
      <p>Choose a password for your account. If you already have an account with this address, enter its password.</p>
      <TextField label="Your name" name="name" autoComplete="name" maxLength={200}
        value={name} onValue={setName} error={f.error} />
      <TextField label="Password" name="password" type="password" autoComplete="new-password" required
        value={password} onValue={setPassword} error={f.error} hint={PASSWORD_HINT} />
      {needCode && (
        <TextField label="Code from your authenticator app" name="totp_code" inputMode="numeric" autoComplete="one-time-code"
          value={code} onValue={setCode} error={f.error} />
      )}
      <FormError error={f.error} />
      <button type="submit" class="primary" disabled={f.busy}>Accept the invitation</button>
    </form>
  );
}
