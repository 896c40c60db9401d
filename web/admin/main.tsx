// main.tsx — the admin app's entry: paints the app into #app. Everything a
// page needs beyond the frame is loaded with that page (routes.ts).
import { render } from 'preact';
import { App } from './app';
import { onUnauthorised } from './api';
import { signedOut } from './state';

onUnauthorised(() => signedOut());
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
