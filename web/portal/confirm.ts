// confirm.ts — /booking/{ref}/confirm#token=…: the link in a reminder. The
// token is read from the fragment and posted only when the customer presses
// the button (a mail client's link scanner opens pages, it does not click).
import { $, api, errorText, pageData } from './common';

const ref = pageData().reference || '';
const token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
const btn = $<HTMLButtonElement>('confirm');
const status = $('confirm-status');

if (!token) {
  btn.disabled = true;
  status.textContent = 'This link is incomplete. Open it again from your reminder.';
}

btn.addEventListener('click', async () => {
  btn.disabled = true;
  status.textContent = 'Confirming…';
  try {
    const r = await api<{ already_confirmed: boolean }>(
      `/v1/public/bookings/${encodeURIComponent(ref)}/confirm`,
      { method: 'POST', body: JSON.stringify({ token }) });
    status.textContent = r.already_confirmed ? 'You had already confirmed. See you then!'
      : 'Thank you, your booking is confirmed. See you then!';
  } catch (e) {
    status.textContent = errorText(e);
    btn.disabled = false;
  }
});
