// main.tsx — the admin app's entry: paints the app into #app. Everything a
// page needs beyond the frame is loaded with that page (routes.ts).
import { render } from 'preact';
import { App } from './app';
import { onUnauthorised } from './api';
import { preloadStart } from './routes';
import { warmFormats } from './format';
import { loadSession, shell, signedOut } from './state';

onUnauthorised(() => signedOut());
// Who is signed in is asked before the first render, in parallel with it;
// with no session cookie at all the answer is known already.
if (!shell.signed_out) {
  void loadSession();
  if (location.pathname === shell.base) preloadStart();
  warmFormats();
}
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
