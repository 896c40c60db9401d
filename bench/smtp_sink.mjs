// bench/smtp_sink.mjs — an SMTP server that accepts every message and keeps
// nothing (the `smtp-server` npm package the message tests use), for the
// sender's benchmark in bench/reminders.sh. Prints its port on stdout, then
// runs until killed.
import { SMTPServer } from 'smtp-server';

let n = 0;
const srv = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  size: 1 << 20,
  onData(stream, session, cb) {
    stream.on('data', () => {});
    stream.on('end', () => { n++; cb(); });
  },
});
// A sender dropping a connection mid-transaction must not end the sink.
srv.on('error', () => {});
srv.listen(0, '127.0.0.1', () => process.stdout.write(`${srv.server.address().port}\n`));
process.on('SIGTERM', () => { process.stderr.write(`smtp sink: ${n} messages\n`); process.exit(0); });
