// push.ts — turning Web Push on and off for the signed-in admin user.
// enablePush() asks the browser's permission, registers the service worker
// (sw.js), subscribes with the server's VAPID public key and POSTs the
// subscription; disablePush() undoes both. The caller passes its fetch
// wrapper (cookie + CSRF header), so this file knows no session details.

export type ApiFetch = (path: string, init: { method: string; body?: string }) => Promise<Response>;

export type PushResult =
  | { ok: true }
  | { ok: false; reason: 'unsupported' | 'denied' | 'server-off' | 'failed'; message: string };

function keyBytes(b64url: string): Uint8Array<ArrayBuffer> {
  const b64 = b64url.replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

export function pushSupported(): boolean {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

export async function enablePush(api: ApiFetch, swUrl = '/admin/sw.js'): Promise<PushResult> {
  if (!pushSupported())
    return { ok: false, reason: 'unsupported', message: 'This browser cannot receive push notifications.' };
  const keyRes = await api('/v1/admin/push/public-key', { method: 'GET' });
  if (keyRes.status === 503)
    return { ok: false, reason: 'server-off', message: 'Push notifications are off on this server.' };
  if (!keyRes.ok)
    return { ok: false, reason: 'failed', message: `Could not read the push key (${keyRes.status}).` };
  const { public_key: publicKey } = (await keyRes.json()) as { public_key: string };
  const permission = await Notification.requestPermission();
  if (permission !== 'granted')
    return { ok: false, reason: 'denied', message: 'Notifications are blocked for this site.' };
  const reg = await navigator.serviceWorker.register(swUrl, { scope: '/admin/' });
  await navigator.serviceWorker.ready;
  const sub = await reg.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: keyBytes(publicKey),
  });
  const res = await api('/v1/admin/push/subscriptions', {
    method: 'POST',
    body: JSON.stringify({ ...sub.toJSON(), user_agent: navigator.userAgent.slice(0, 512) }),
  });
  if (!res.ok) {
    await sub.unsubscribe().catch(() => undefined);
    return { ok: false, reason: 'failed', message: `The server refused the subscription (${res.status}).` };
  }
  return { ok: true };
}

export async function disablePush(api: ApiFetch, swUrl = '/admin/sw.js'): Promise<void> {
  if (!pushSupported()) return;
  const reg = await navigator.serviceWorker.getRegistration(swUrl);
  const sub = await reg?.pushManager.getSubscription();
  if (!sub) return;
  await api('/v1/admin/push/subscriptions', {
    method: 'DELETE', body: JSON.stringify({ endpoint: sub.endpoint }),
  });
  await sub.unsubscribe();
}
