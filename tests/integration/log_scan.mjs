// log_scan.mjs — the log scan (issue 11 §2): reads every line the server,
// worker and other processes of the integration suite wrote to stderr
// (lib.mjs keeps them in TEST_LOG_DIR) and fails on any unmasked e-mail
// address or phone number. Not a *.test.mjs: scripts/test runs it after
// the integration suite, first with --self-test, which plants unmasked
// lines and proves the scan finds them.
//
//   node tests/integration/log_scan.mjs DIR
//   node tests/integration/log_scan.mjs --self-test
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The distinctive customer of log_privacy.test.mjs, whose details go in
// every national and international form the suite uses.
export const SEEDED = {
  email: 'zed.logscan-customer@example.org',
  phone: '+14155550199',
  national: '(415) 555-0199',
  digits: '4155550199',
};

// An address: one character of the local part right before '@' (the
// masked form "j***@e***.com" has '*' there), a dotted domain.
const EMAIL_RE = /[A-Za-z0-9._%+'\-\u0080-\uffff]@[A-Za-z0-9\-\u0080-\uffff]+(?:\.[A-Za-z0-9\-\u0080-\uffff]+)*\.[A-Za-z\u0080-\uffff]{2,}/g;
// E.164: '+' and 8–15 digits, separators allowed; not inside a longer word.
const E164_RE = /(?<![\w+*])\+\d(?:[ ().-]{0,2}\d){7,14}(?![\w*])/g;
// Digit runs with phone separators, to find a seeded number in any form.
const DIGITS_RE = /\d(?:[ ().-]{0,2}\d)+/g;

// What is wrong with one line: [] when nothing.
export function findings(line) {
  const out = [];
  for (const m of line.matchAll(EMAIL_RE)) out.push(`e-mail near "${m[0]}"`);
  for (const m of line.matchAll(E164_RE)) out.push(`phone "${m[0]}"`);
  for (const m of line.matchAll(DIGITS_RE)) {
    if (m[0].replace(/\D/g, '').includes(SEEDED.digits)) out.push(`seeded phone "${m[0]}"`);
  }
  return out;
}

// Scans every file in dir; CLI files (-cli-) are read for their JSON log
// lines only (their other lines answer the operator who typed the value).
export function scan(dir) {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.log')) : [];
  let lines = 0;
  const hits = [];
  for (const f of files.sort()) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    text.split('\n').forEach((line, i) => {
      if (line === '' || (f.includes('-cli-') && !line.startsWith('{'))) return;
      lines++;
      for (const what of findings(line)) hits.push(`${f}:${i + 1}: ${what}`);
    });
  }
  return { files: files.length, lines, hits };
}

function selfTest() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'log-scan-'));
  try {
    const clean = [
      '{"ts":"2026-12-05T12:00:00.123Z","level":"info","msg":"request","request_id":"req-1733400000000","status":201,"duration_ms":1.5}',
      '{"msg":"booking for j***@e***.org +1*******199","tenant_id":"550e8400-e29b-41d4-a716-446655440000","port":54363}',
    ];
    fs.writeFileSync(path.join(dir, 'a-serve-1.log'), `${clean.join('\n')}\n`);
    const ok = scan(dir);
    if (ok.hits.length || ok.lines !== 2) throw new Error(`clean lines flagged: ${ok.hits.join('; ')}`);
    const planted = [
      `{"msg":"sql failed","detail":"Key (email)=(${SEEDED.email}) already exists."}`,
      `{"msg":"sms to ${SEEDED.phone}"}`,
      `{"msg":"call ${SEEDED.national}"}`,
      '{"msg":"x","to":"+44 20 7123 4567"}',
      'plain text jane.doe@example.com',
    ];
    planted.forEach((l, i) => fs.writeFileSync(path.join(dir, `b-worker-${i}.log`), `${l}\n`));
    const bad = scan(dir);
    const flagged = new Set(bad.hits.map((h) => h.split(':')[0]));
    if (flagged.size !== planted.length)
      throw new Error(`planted lines missed: found only ${[...flagged].join(', ')}`);
    console.log(`log scan self-test: ${planted.length} planted lines found, clean lines pass`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv[2] === '--self-test') {
    selfTest();
  } else {
    const dir = process.argv[2];
    const r = scan(dir);
    if (r.files === 0) {
      console.error(`log scan: no log files in ${dir}: was TEST_LOG_DIR set for the suite?`);
      process.exit(1);
    }
    console.log(`log scan: ${r.files} files, ${r.lines} lines, ${r.hits.length} unmasked`);
    for (const h of r.hits.slice(0, 50)) console.log(`  ${h}`);
    process.exit(r.hits.length ? 1 : 0);
  }
}
