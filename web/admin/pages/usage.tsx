// usage.tsx — "Usage and plan": this month's bookings and customer
// messages against the plan's limits, as bars with the numbers, the AI's
// calls and tokens by model, and what the plan includes. Billing (paying,
// changing plan) comes with a later issue: here the plan is shown only.
import { Fragment } from 'preact';
import { api } from '../api';
import { Async, Empty, PageHeader, useLoad } from '../ui';
import { longDate, zoneLabel } from '../format';
import { TableWrap } from './platform-common';

interface Count { used: number; limit: number | null; remaining?: number | null }

interface Usage {
  plan: string;
  timezone: string;
  period: { start: string; end: string };
  bookings: Count;
  messages: Count;
}

interface AiUsage {
  month: string;
  plan: string;
  plan_details: { name: string; features: string[]; limits: Record<string, number | null> };
  messages: Count;
  model_calls: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  by_model: { provider: string; model: string; calls: number; input_tokens: number; output_tokens: number; cached_tokens: number }[];
}

const n = (x: number) => x.toLocaleString();

const FEATURES: Record<string, string> = {
  web_chat: 'Website chat', sms: 'SMS', whatsapp: 'WhatsApp', instagram: 'Instagram', messenger: 'Messenger',
  voice: 'Voice calls', calendar_sync: 'Calendar sync', custom_domain: 'Custom domain', analytics: 'Analytics',
  api_keys: 'API keys', remove_platform_branding: 'No platform branding',
};
const LIMITS: Record<string, string> = {
  messages_per_month: 'Customer messages a month', bookings_per_month: 'Bookings a month',
  channels: 'Channels', staff_seats: 'Staff seats',
};
const planName = (p: string) => p[0].toUpperCase() + p.slice(1);

/** One meter: the count against its limit, as a bar and in words. */
function Meter({ id, label, c }: { id: string; label: string; c: Count }) {
  const pct = c.limit ? Math.min(100, Math.round((100 * c.used) / c.limit)) : 0;
  const level = c.limit === null ? '' : pct >= 100 ? 'full' : pct >= 80 ? 'high' : '';
  return (
    <div class={`meter ${level}`}>
      <div class="meter-head">
        <h3 id={id}>{label}</h3>
        <span class="meter-numbers">
          {c.limit === null ? `${n(c.used)} used · unlimited` : `${n(c.used)} of ${n(c.limit)} used`}
        </span>
      </div>
      {c.limit !== null && (
        <>
          <progress aria-labelledby={id} max={c.limit} value={Math.min(c.used, c.limit)}>{pct}%</progress>
          <p class="hint">
            {c.used >= c.limit ? 'The limit is reached.' : `${n(c.limit - c.used)} left (${pct}% used).`}
          </p>
        </>
      )}
    </div>
  );
}

export default function UsagePage() {
  const u = useLoad(async (signal) => {
    const [usage, ai] = await Promise.all([
      api.get<Usage>('/v1/admin/usage', { signal }),
      api.get<AiUsage>('/v1/admin/usage/ai', { signal }),
    ]);
    return { usage, ai };
  }, []);
  return (
    <section>
      <PageHeader title="Usage and plan" />
      <Async state={u}>
        {({ usage, ai }) => (
          <>
            <div class="card">
              <h2>This month</h2>
              <p class="hint">
                Bookings from {longDate(usage.period.start)} to {longDate(new Date(Date.parse(usage.period.end) - 1000).toISOString())} (times in {zoneLabel()});
                messages in the calendar month {ai.month} (UTC).
              </p>
              <Meter id="m-bookings" label="Bookings" c={usage.bookings} />
              <Meter id="m-messages" label="Customer messages" c={ai.messages} />
              {ai.messages.limit !== null && ai.messages.used >= ai.messages.limit && (
                <p class="warn">The receptionist now answers new messages with a polite “contact us directly” until the
                  month ends or the plan changes.</p>
              )}
            </div>
            <div class="grid">
              <div class="card">
                <h2>Your plan: {planName(ai.plan_details.name)}</h2>
                <h3>Included</h3>
                <ul class="plan-features">
                  {ai.plan_details.features.map((f) => <li key={f}>{FEATURES[f] ?? f}</li>)}
                </ul>
                <h3>Limits</h3>
                <dl class="platform-dl">
                  {Object.entries(ai.plan_details.limits).map(([k, v]) => (
                    <Fragment key={k}>
                      <dt>{LIMITS[k] ?? k}</dt>
                      <dd>{v === null ? 'Unlimited' : n(v)}</dd>
                    </Fragment>
                  ))}
                </dl>
                <p class="hint">To change plan, contact your provider.</p>
              </div>
              <div class="card">
                <h2>AI this month</h2>
                <dl class="platform-dl">
                  <dt>Model calls</dt><dd>{n(ai.model_calls)}</dd>
                  <dt>Input tokens</dt><dd>{n(ai.input_tokens)}</dd>
                  <dt>Output tokens</dt><dd>{n(ai.output_tokens)}</dd>
                  <dt>Cached tokens</dt><dd>{n(ai.cached_tokens)}</dd>
                </dl>
              </div>
            </div>
            <div class="card">
              <h2>By model</h2>
              {ai.by_model.length === 0 ? <Empty>No AI calls yet this month.</Empty> : (
                <TableWrap label="AI calls this month by provider and model">
                  <table>
                    <caption class="visually-hidden">AI calls this month by provider and model</caption>
                    <thead>
                      <tr><th scope="col">Provider</th><th scope="col">Model</th><th scope="col">Calls</th><th scope="col">Input tokens</th><th scope="col">Output tokens</th></tr>
                    </thead>
                    <tbody>
                      {ai.by_model.map((m) => (
                        <tr key={`${m.provider}/${m.model}`}>
                          <td>{m.provider}</td><td>{m.model}</td><td>{n(m.calls)}</td><td>{n(m.input_tokens)}</td><td>{n(m.output_tokens)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </TableWrap>
              )}
            </div>
          </>
        )}
      </Async>
    </section>
  );
}
