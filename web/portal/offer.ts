// offer.ts — /waitlist/offer#token=…: the link in a waitlist offer. The
// token is read from the fragment and posted only when the customer presses
// the button (a mail client's link scanner opens pages, it does not click).
import { $, api, errorText, pageData } from './common';

const data = pageData();
const token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
const btn = $<HTMLButtonElement>('take');
const status = $('offer-status');
const when = (iso: string) => new Intl.DateTimeFormat(undefined, {
  weekday: 'long', day: 'numeric', month: 'long', hour: 'numeric', minute: '2-digit',
  timeZone: data.timezone,
}).format(new Date(iso));

if (!token) {
  btn.disabled = true;
  status.textContent = 'This link is incomplete. Open it again from your message.';
}

btn.addEventListener('click', async () => {
  btn.disabled = true;
  status.textContent = 'Booking…';
  try {
    const r = await api<{ reference: string; start: string }>('/v1/public/waitlist/offers/accept',
      { method: 'POST', body: JSON.stringify({ token }) });
    status.replaceChildren(`It's yours: ${when(r.start)}. Your booking reference is `,
      Object.assign(document.createElement('strong'), { textContent: r.reference }), '. ',
      Object.assign(document.createElement('a'), { href: `/booking/${r.reference}`,
        textContent: 'View or change this booking' }));
  } catch (e) {
    status.textContent = errorText(e);
  }
});
