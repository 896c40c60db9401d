// sw.ts — the admin app's service worker for Web Push. The server sends
// an encrypted JSON payload {title, body, tag, url} (src/modules/push);
// the browser decrypts it and hands it here. A click focuses an open admin
// tab (navigating it to url) or opens one. Built as its own entry point
// (it must be served from the admin app's scope, e.g. /admin/sw.js).
/// <reference lib="webworker" />
export {};
declare const self: ServiceWorkerGlobalScope;

interface PushPayload {
  title?: string;
  body?: string;
  tag?: string;
  url?: string;
}

function parse(e: PushEvent): PushPayload {
  try {
    return (e.data?.json() ?? {}) as PushPayload;
  } catch {
    return { body: e.data?.text() ?? '' };
  }
}

// Only same-origin paths are followed: a payload never sends the user
// elsewhere.
function safeUrl(u: string | undefined): string {
  if (!u) return '/admin/';
  try {
    const url = new URL(u, self.location.origin);
    return url.origin === self.location.origin ? url.href : '/admin/';
  } catch {
    return '/admin/';
  }
}

self.addEventListener('push', (e: PushEvent) => {
  const p = parse(e);
  e.waitUntil(self.registration.showNotification(p.title || 'Receptionist', {
    body: p.body ?? '',
    tag: p.tag,
    data: { url: safeUrl(p.url) },
  }));
});

self.addEventListener('notificationclick', (e: NotificationEvent) => {
  e.notification.close();
  const url = (e.notification.data as { url?: string } | null)?.url ?? '/admin/';
  e.waitUntil((async () => {
    const tabs = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const c of tabs) {
      if (new URL(c.url).pathname.startsWith('/admin')) {
        const w = await (c as WindowClient).focus();
        await w.navigate(url).catch(() => undefined);
        return;
      }
    }
    await self.clients.openWindow(url);
  })());
});
