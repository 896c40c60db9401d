// messages_lib.mjs — what the message suites share: a real SMTP server
// (smtp-server) whose mail is read with mailparser, a look at the outbox, a
// message queued as a writer would, and a branded business.
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

import { after, before } from 'node:test';

import { adminServer } from './admin_lib.mjs';
import { adminSql, lit, startWorker } from './lib.mjs';

export const FROM = 'bookings@mail.example.com';
export const PRIMARY = '#a31f6b';

// The SMTP server. Per recipient local part: "t451x<n>-…" answers 451 to
// the first n deliveries, "t451-…" always 451, "p550-…" always 550,
// "hang-…" never answers the data (a provider that accepted it while we
// crashed), "bounce-…" refuses the address itself (550 5.1.1 to RCPT TO;
// rcpt counts those). Everything else is accepted; got[] holds the parsed mail,
// each with the id of the SMTP session (one per connection) it came in.
export function smtpServer() {
  const got = [];
  const seen = new Map();
  const rcpt = new Map();
  const hang = { on: true };
  const srv = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, session, cb) {
      rcpt.set(address.address, (rcpt.get(address.address) ?? 0) + 1);
      if (!address.address.startsWith('bounce-')) return cb();
      const e = new Error('5.1.1 The email account that you tried to reach does not exist');
      e.responseCode = 550;
      return cb(e);
    },
    onData(stream, session, cb) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', async () => {
        const to = session.envelope.rcptTo[0].address;
        const n = (seen.get(to) ?? 0) + 1;
        seen.set(to, n);
        const local = to.split('@')[0];
        const m = /^t451x(\d+)-/.exec(local);
        const fail = (code, msg) => { const e = new Error(msg); e.responseCode = code; cb(e); };
        if (local.startsWith('hang-') && hang.on) {
          got.push({ to, hung: true });
          return;	// never answer
        }
        if ((m && n <= Number(m[1])) || local.startsWith('t451-'))
          return fail(451, 'Try again later');
        if (local.startsWith('p550-'))
          return fail(550, 'No such mailbox');
        const mail = await simpleParser(Buffer.concat(chunks));
        got.push({ to, envelopeFrom: session.envelope.mailFrom.address, mail, session: session.id });
        cb();
      });
    },
  });
  // A client that drops its connection mid-transaction (a worker killed
  // or timing out while we hold the data) makes smtp-server emit 'error';
  // unheard, that would end this test process. Kept for a test to read.
  const errors = [];
  srv.on('error', (e) => errors.push(e));
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve({
    srv, got, seen, rcpt, hang, errors, url: `smtp://127.0.0.1:${srv.server.address().port}`,
    mailTo: (to) => got.filter((g) => g.to === to && g.mail).map((g) => g.mail),
    sessionOf: (to) => got.find((g) => g.to === to && g.mail)?.session,
  })));
}

export const row = (t, where) => {
  const r = adminSql(`SELECT json_build_object('id', id, 'status', status, 'attempts', attempts,
    'last_error', last_error, 'provider_id', provider_id)::text FROM notification_outbox
    WHERE tenant_id = ${lit(t.id)} AND ${where} ORDER BY created_at DESC LIMIT 1`);
  return r ? JSON.parse(r) : undefined;
};

// A message queued as a writer would, straight into the outbox.
export function queue(t, to, template = 'ai.handoff', payload = { customer_name: 'Zed', channel: 'web' },
  dedupe = null) {
  return adminSql(`INSERT INTO notification_outbox (tenant_id, recipient, template, payload,
    dedupe_key) VALUES (${lit(t.id)}, ${lit(to)}, ${lit(template)}, ${lit(JSON.stringify(payload))},
    ${dedupe ? lit(dedupe) : 'NULL'}) ON CONFLICT (tenant_id, dedupe_key) DO NOTHING RETURNING id`);
}

export function brand(t, { name, email = 'desk@salon.example' }) {
  adminSql(`UPDATE tenant_branding SET display_name = ${lit(name)}, primary_color = '${PRIMARY}'
      WHERE tenant_id = ${lit(t.id)};
    UPDATE tenant_profiles SET email = ${lit(email)}, address_line1 = '12 Rue Verte',
      city = 'Springfield' WHERE tenant_id = ${lit(t.id)}`);
}

// Earlier suites queue mail with no provider configured, and it waits in
// the outbox; a worker that can send would send all of it first and this
// suite's messages would wait behind thousands. Set it aside (cancelled)
// before starting one.
export function setAsideQueuedMail() {
  adminSql(`UPDATE notification_outbox SET status = 'cancelled' WHERE status = 'queued';
    UPDATE platform_outbox SET status = 'cancelled' WHERE status = 'queued'`);
}

// What a suite that follows mail end to end needs, started before its
// tests and stopped after them (call it at the suite's level): rig.smtp,
// the SMTP server; rig.srv, a server with the test routes whose links read
// http://<slug>.localhost:8080; rig.worker, sending through rig.smtp
// (earlier suites' mail set aside first). env: more for the server.
export function mailRig(env = {}) {
  const rig = {};
  before(async () => {
    rig.smtp = await smtpServer();
    setAsideQueuedMail();
    rig.srv = await adminServer({ PUBLIC_BASE_URL: 'http://localhost:8080', ...env });
    rig.worker = await startWorker({ SMTP_URL: rig.smtp.url, SMTP_FROM: FROM, JOB_CONCURRENCY: '2' });
  });
  after(async () => {
    await rig.worker?.stop();
    await rig.srv?.kill();
    rig.smtp?.srv.close();
  });
  return rig;
}
