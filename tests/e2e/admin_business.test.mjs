// admin_business.test.mjs — the Catalogue and Business pages in a real
// browser as the OWNER: every form saved through the UI and seen in the
// database, a stale edit offering reload / overwrite, the server's field
// errors on their fields; a VIEWER sees no button that changes anything;
// axe on every page and dialog; 360 px; screenshots in two brands.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSql, killAll, lit } from './lib.mjs';
import { assertAccessible, open, serverAndBrowser, shot, signedIn, twoBrands } from './admin_lib.mjs';

after(killAll);

const q = (t, sql) => adminSql(sql.replaceAll('$T', lit(t.id)));

// Waits until an input shows value (forms reload asynchronously).
async function hasValue(locator, value, timeoutMs = 5000) {
  const end = Date.now() + timeoutMs;
  let v;
  while ((v = await locator.inputValue()) !== value && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  assert.equal(v, value);
}

describe('admin app: catalogue and business', () => {
  let srv;
  let browser;
  let a;
  let b;

  before(async () => {
    ({ a, b } = twoBrands());
    ({ srv, browser } = await serverAndBrowser());
  });
  after(async () => { await browser?.close(); await srv?.kill(); });

  test('business: profile, hours (several ranges a day), closures, policies, FAQs saved through the UI', async () => {
    const s = await signedIn(browser, srv, a);
    const { page } = s;
    page.on('dialog', (d) => d.accept());

    await open(page, s.url('business/profile'), 'Business');
    await assertAccessible(page, 'business profile');
    await page.getByLabel('Business name').fill('Lumen Hair & Beauty');
    await page.getByLabel('Time zone').fill('Europe/London');
    await page.getByLabel('Phone').fill('+442071234567');
    await page.getByLabel('Country').fill('GB');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Saved.').waitFor();
    assert.equal(q(a, `SELECT business_name || '|' || timezone || '|' || phone FROM tenant_profiles WHERE tenant_id = $T`),
      'Lumen Hair & Beauty|Europe/London|+442071234567');
    await shot(page, 'lumen', 'business-profile');

    // The server's field errors show on their fields.
    await page.getByLabel('Time zone').fill('Mars/Olympus_Mons');
    await page.getByLabel('Phone').fill('12345');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.locator('.field.invalid').first().waitFor();
    const invalid = await page.locator('.field.invalid label').allTextContents();
    assert.ok(invalid.includes('Time zone') || invalid.includes('Phone'), `field errors on: ${invalid}`);
    assert.equal(q(a, `SELECT timezone FROM tenant_profiles WHERE tenant_id = $T`), 'Europe/London');
    await assertAccessible(page, 'profile with field errors');

    // Opening hours: two ranges on Monday, one on Saturday, by keyboard-usable controls.
    await page.getByRole('link', { name: 'Opening hours' }).click();
    await page.getByRole('button', { name: 'Add a range on Monday' }).click();
    await page.getByLabel('Monday range 1 to').fill('12:30');
    await page.getByRole('button', { name: 'Add a range on Monday' }).click();
    await page.getByLabel('Monday range 2 from').fill('13:30');
    await page.getByLabel('Monday range 2 to').fill('18:00');
    await page.getByRole('button', { name: 'Add a range on Saturday' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Save opening hours' }).click();
    await page.getByText('Opening hours saved.').waitFor();
    assert.equal(q(a, `SELECT string_agg(weekday || ' ' || to_char(opens, 'HH24:MI') || '-' || to_char(closes, 'HH24:MI'), ', ' ORDER BY weekday, opens)
      FROM business_hours WHERE tenant_id = $T`), '1 09:00-12:30, 1 13:30-18:00, 6 09:00-17:00');
    await assertAccessible(page, 'business hours');
    await shot(page, 'lumen', 'business-hours');
    // An overlap is refused and named on the range.
    await page.getByLabel('Monday range 2 from').fill('12:00');
    await page.getByRole('button', { name: 'Save opening hours' }).click();
    await page.locator('.week-range.invalid .field-error').first().waitFor();

    // Closures.
    await page.getByRole('link', { name: 'Closures' }).click();
    await page.getByLabel('Day').fill('2030-12-25');
    await page.getByLabel('Reason (optional)').fill('Christmas');
    await page.getByRole('button', { name: 'Add closure' }).click();
    await page.getByText('Christmas').waitFor();
    assert.equal(q(a, `SELECT day || ' ' || reason FROM closures WHERE tenant_id = $T`), '2030-12-25 Christmas');
    await assertAccessible(page, 'closures');
    await page.getByRole('button', { name: 'Remove closure on 2030-12-25' }).click();
    await page.getByText('No closed days').waitFor();

    // Policies, then a stale edit: reload, and overwrite.
    await page.getByRole('link', { name: 'Policies' }).click();
    await page.getByLabel('Cancellation window (hours)').fill('24');
    await page.getByLabel('Cancellation policy').fill('Cancel a day ahead, please.');
    await page.getByRole('button', { name: 'Save policies' }).click();
    await page.getByText('Saved.').waitFor();
    assert.equal(q(a, `SELECT cancellation_window_hours || ' ' || cancellation_policy FROM tenant_policies WHERE tenant_id = $T`),
      '24 Cancel a day ahead, please.');
    q(a, `UPDATE tenant_policies SET late_policy = 'Changed by a colleague', version = version + 1 WHERE tenant_id = $T`);
    await page.getByLabel('No-shows').fill('Charged in full.');
    await page.getByRole('button', { name: 'Save policies' }).click();
    await page.getByText('Changed elsewhere since you opened it.').waitFor();
    await assertAccessible(page, 'policies stale');
    await page.getByRole('button', { name: 'Reload their version' }).click();
    await hasValue(page.getByLabel('Late arrivals'), 'Changed by a colleague');
    q(a, `UPDATE tenant_policies SET late_policy = 'Again', version = version + 1 WHERE tenant_id = $T`);
    await page.getByLabel('No-shows').fill('Charged in full.');
    await page.getByRole('button', { name: 'Save policies' }).click();
    await page.getByRole('button', { name: 'Overwrite with mine' }).click();
    await page.getByText('Saved.').waitFor();
    assert.equal(q(a, `SELECT no_show_policy FROM tenant_policies WHERE tenant_id = $T`), 'Charged in full.');

    // FAQs: create, edit, delete.
    await page.getByRole('link', { name: 'FAQs' }).click();
    await page.getByRole('button', { name: 'Add an FAQ' }).click();
    await assertAccessible(page, 'FAQ dialog');
    await page.getByLabel('Question').fill('Do you take walk-ins?');
    await page.getByLabel('Answer').fill('Yes, when a chair is free.');
    await page.getByRole('button', { name: 'Save FAQ' }).click();
    await page.getByRole('heading', { name: 'Do you take walk-ins?' }).waitFor();
    await page.getByRole('button', { name: 'Edit FAQ: Do you take walk-ins?' }).click();
    await page.getByLabel('Answer').fill('Yes, most afternoons.');
    await page.getByRole('button', { name: 'Save FAQ' }).click();
    await page.getByText('Yes, most afternoons.').waitFor();
    assert.equal(q(a, `SELECT answer FROM faqs WHERE tenant_id = $T AND deleted_at IS NULL`), 'Yes, most afternoons.');
    await shot(page, 'lumen', 'business-faqs');
    await page.getByRole('button', { name: 'Delete FAQ: Do you take walk-ins?' }).click();
    await page.getByText('No FAQs yet').waitFor();
    assert.equal(q(a, `SELECT count(*) FROM faqs WHERE tenant_id = $T AND deleted_at IS NULL`), '0');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('catalogue: services with add-ons, staff with schedule, services and time off, resources', async () => {
    const s = await signedIn(browser, srv, a);
    const { page } = s;
    page.on('dialog', (d) => d.accept());
    await open(page, s.url('catalogue/services'), 'Catalogue');
    await page.getByText('No services yet').waitFor();
    await assertAccessible(page, 'services empty');
    await page.getByRole('button', { name: 'Add a service' }).click();
    await page.getByLabel('Name').fill('Cut and finish');
    await page.getByLabel('Duration (minutes)').fill('45');
    await page.getByLabel('Price (USD)').fill('35.50');
    await page.getByLabel('Buffer after (minutes)').fill('10');
    await assertAccessible(page, 'service dialog');
    await page.getByRole('button', { name: 'Save service' }).click();
    await page.getByRole('cell', { name: 'Cut and finish', exact: true }).waitFor();
    await page.getByRole('cell', { name: /35\.50/ }).waitFor();
    assert.equal(q(a, `SELECT duration_minutes || ' ' || price_minor || ' ' || buffer_after_minutes FROM services WHERE tenant_id = $T`), '45 3550 10');

    // Edit with a stale version, reload, then save; and an add-on.
    await page.getByRole('button', { name: 'Edit Cut and finish' }).click();
    q(a, `UPDATE services SET name = 'Cut & finish', version = version + 1 WHERE tenant_id = $T`);
    await page.getByLabel('Duration (minutes)').fill('50');
    await page.getByRole('button', { name: 'Save service' }).click();
    await page.getByText('Changed elsewhere since you opened it.').waitFor();
    await page.getByRole('button', { name: 'Reload their version' }).click();
    await hasValue(page.getByLabel('Name', { exact: true }), 'Cut & finish');
    await page.getByLabel('Add-on name').fill('Deep conditioning');
    await page.getByLabel('Price (USD)').last().fill('8');
    await page.getByRole('button', { name: 'Add add-on' }).click();
    await page.locator('.addons li, .addons .form-error').first().waitFor();
    assert.match(await page.locator('.addons').textContent(), /Deep conditioning — US\$8\.00/);
    // A server field error lands on its field (duration below the minimum).
    await page.getByLabel('Duration (minutes)').evaluate((el) => el.removeAttribute('min'));
    await page.getByLabel('Duration (minutes)').fill('2');
    await page.getByRole('button', { name: 'Save service' }).click();
    await page.locator('.field.invalid input[name=duration_minutes]').waitFor();
    await page.getByLabel('Duration (minutes)').fill('50');
    await page.getByRole('button', { name: 'Save service' }).click();
    await page.getByText('Service saved.').waitFor();
    assert.equal(q(a, `SELECT name || ' ' || duration_minutes FROM services WHERE tenant_id = $T`), 'Cut & finish 50');
    assert.equal(q(a, `SELECT name || ' ' || price_minor FROM service_addons WHERE tenant_id = $T`), 'Deep conditioning 800');
    await shot(page, 'lumen', 'catalogue-services');

    // Staff: add, weekly schedule, services performed, time off.
    await page.getByRole('link', { name: 'Staff' }).click();
    await page.getByRole('button', { name: 'Add a staff member' }).click();
    await page.getByLabel('Name').fill('Ava Stone');
    await page.getByLabel('E-mail').fill('ava@example.com');
    await page.getByRole('button', { name: 'Save staff member' }).click();
    await page.getByRole('heading', { name: 'Ava Stone', level: 2 }).waitFor();
    await page.getByRole('button', { name: 'Add a range on Tuesday' }).click();
    await page.getByRole('button', { name: 'Add a range on Tuesday' }).click();
    await page.getByLabel('Tuesday range 2 from').fill('17:30');
    await page.getByLabel('Tuesday range 2 to').fill('20:00');
    await page.getByRole('button', { name: 'Save schedule' }).click();
    await page.getByText('Schedule saved.').waitFor();
    assert.equal(q(a, `SELECT string_agg(weekday || ' ' || to_char(starts, 'HH24:MI') || '-' || to_char(ends, 'HH24:MI'), ', ' ORDER BY weekday, starts)
      FROM staff_schedules WHERE tenant_id = $T`), '2 09:00-17:00, 2 17:30-20:00');
    await page.getByLabel('Cut & finish').check();
    await page.getByRole('button', { name: 'Save services' }).click();
    await page.getByText('Services saved.').waitFor();
    assert.equal(q(a, `SELECT count(*) FROM staff_services WHERE tenant_id = $T`), '1');
    await page.getByLabel('Time off from').fill('2030-07-01');
    await page.getByLabel('Time off until').fill('2030-07-14');
    await page.getByLabel('Reason (optional)').fill('Holiday');
    await page.getByRole('button', { name: 'Add time off' }).click();
    await page.getByText('Time off added.').waitFor();
    assert.equal(q(a, `SELECT count(*) FROM staff_time_off WHERE tenant_id = $T AND reason = 'Holiday'`), '1');
    await assertAccessible(page, 'staff detail');
    await shot(page, 'lumen', 'catalogue-staff');

    // Resources and the services that need them.
    await page.getByRole('link', { name: 'Resources' }).click();
    await page.getByRole('button', { name: 'Add a resource' }).click();
    await page.getByLabel('Name').fill('Basin');
    await page.getByLabel('Identical units').fill('2');
    await page.getByRole('button', { name: 'Save resource' }).click();
    await page.getByRole('cell', { name: 'Basin', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Edit Basin' }).click();
    await page.getByLabel('Cut & finish').check();
    await page.getByRole('button', { name: 'Save needs' }).click();
    await page.getByText('Saved which services need it.').waitFor();
    await assertAccessible(page, 'resource dialog');
    assert.equal(q(a, `SELECT quantity FROM resources WHERE tenant_id = $T`), '2');
    assert.equal(q(a, `SELECT count(*) FROM resource_services WHERE tenant_id = $T`), '1');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();
  });

  test('a VIEWER sees everything and no button that changes anything; 360 px; the other brand', async () => {
    const s = await signedIn(browser, srv, a, { role: 'VIEWER', width: 360, height: 740 });
    const { page } = s;
    const change = /^(Save|Add|Edit|Delete|Remove|Allow)/;
    for (const [path, heading] of [['business/profile', 'Business'], ['business/hours', 'Business'], ['business/closures', 'Business'],
      ['business/policies', 'Business'], ['business/faqs', 'Business'], ['catalogue/services', 'Catalogue'],
      ['catalogue/staff', 'Catalogue'], ['catalogue/resources', 'Catalogue']]) {
      await open(page, s.url(path), heading);
      await page.locator('.state.loading').waitFor({ state: 'detached' });
      assert.equal(await page.getByRole('button', { name: change }).count(), 0, `${path}: change buttons for a VIEWER`);
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= 360, `${path} is ${wide}px wide at 360`);
    }
    await open(page, s.url('catalogue/staff'), 'Catalogue');
    await page.getByRole('button', { name: 'Ava Stone' }).click();
    await page.getByRole('heading', { name: 'Weekly schedule' }).waitFor();
    assert.equal(await page.getByRole('button', { name: change }).count(), 0);
    assert.ok(await page.getByLabel('Tuesday range 1 from').isDisabled());
    await assertAccessible(page, 'viewer staff at 360');
    await shot(page, 'lumen', 'catalogue-staff-360');
    assert.deepEqual(s.problems, []);
    await s.ctx.close();

    const o = await signedIn(browser, srv, b);
    for (const [path, heading, name] of [['business/profile', 'Business', 'business-profile'], ['business/hours', 'Business', 'business-hours'],
      ['catalogue/services', 'Catalogue', 'catalogue-services'], ['catalogue/staff', 'Catalogue', 'catalogue-staff'],
      ['catalogue/resources', 'Catalogue', 'catalogue-resources'], ['business/faqs', 'Business', 'business-faqs']]) {
      await open(o.page, o.url(path), heading);
      await o.page.locator('.state.loading').waitFor({ state: 'detached' });
      await assertAccessible(o.page, `harbor ${path}`);
      await shot(o.page, 'harbor', name);
    }
    assert.deepEqual(o.problems, []);
    await o.ctx.close();
  });
});
