// main.tsx — the admin app's entry: paints the app into #app. Everything a
// page needs beyond the frame is loaded with that page (routes.ts).
import { render } from 'preact';
import { App } from './app';
import { onUnauthorised } from './api';
import { loadSession, signedOut } from './state';

onUnauthorised(() => signedOut());
// Who is signed in is asked before the first render, in parallel with it.
void loadSession();
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
