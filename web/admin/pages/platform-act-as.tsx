// platform-act-as.tsx — /admin/act-as#token=… on the business's host: where
// the agency console sends an operator who starts a support session. The
// one-time hand-off token (in the fragment, so no server log sees it) is
// exchanged for this host's session cookie, then the business's app loads
// with the support-session banner.
import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../api';
import { shell } from '../state';
import { Loading } from '../ui';

export default function ActAs() {
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
    // Out of the address bar and history: it is spent either way.
    history.replaceState(null, '', location.pathname);
    if (!token) {
      setError('This support link has no token. Start the support session again from the console.');
      return;
    }
    api.post('/v1/auth/act-as/exchange', { token }, { quiet401: true })
      .then(() => location.replace(shell.base))
      .catch((e) => setError(errorText(e)));
  }, []);
  return (
    <>
      <h1 id="page-title" tabIndex={-1}>Support session</h1>
      {error ? (
        <div class="form-error" role="alert"><p>{error}</p></div>
      ) : <Loading what="Opening the support session…" />}
    </>
  );
}
