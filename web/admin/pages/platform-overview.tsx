// platform-overview.tsx — the platform at a glance: how many tenants on
// each plan and in each status, and this month's usage over all of them
// (GET /v1/platform/overview, computed in SQL).
import { api } from '../api';
import { shell } from '../state';
import { Async, Empty, PageHeader, useLoad } from '../ui';
import { planLabel, PLANS, PlanBadge, TableWrap } from './platform-common';

interface Overview {
  month: string;
  tenants: number;
  by_plan: Record<string, number>;
  by_status: Record<string, number>;
  usage: { messages: number; model_calls: number; tokens: number; bookings: number };
  top_by_messages: { id: string; slug: string; name: string | null; plan: string; messages: number }[];
}

const n = (x: number) => x.toLocaleString();

/** Counts as labelled bars, the largest full width. */
function Bars({ label, rows }: { label: string; rows: { key: string; label: string; value: number; href?: string }[] }) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return (
    <ul class="bars" aria-label={label}>
      {rows.map((r) => (
        <li key={r.key}>
          <span class="bar-label">{r.href ? <a href={r.href}>{r.label}</a> : r.label}</span>
          <span class="bar-track" aria-hidden="true"><span class="bar-fill" style={{ width: `${(100 * r.value) / max}%` }} /></span>
          <span class="bar-value">{n(r.value)}</span>
        </li>
      ))}
    </ul>
  );
}

export default function OverviewPage() {
  const o = useLoad((signal) => api.get<Overview>('/v1/platform/overview', { signal }), []);
  return (
    <section>
      <PageHeader title="Overview" />
      <Async state={o}>
        {(d) => (
          <>
            <div class="grid">
              <div class="card">
                <h2>Tenants by plan</h2>
                <Bars label="Tenants by plan (not deleted)" rows={[...PLANS.map((p) => p.value), ...Object.keys(d.by_plan)
                  .filter((k) => !PLANS.some((p) => p.value === k))]
                  .map((k) => ({ key: k, label: planLabel(k), value: d.by_plan[k] ?? 0 }))} />
              </div>
              <div class="card">
                <h2>Tenants by status</h2>
                <Bars label="Tenants by status" rows={['active', 'suspended', 'deleted'].map((k) => ({
                  key: k, label: k[0].toUpperCase() + k.slice(1), value: d.by_status[k] ?? 0,
                  href: `${shell.base}tenants?status=${k}`,
                }))} />
                <p>{n(d.tenants)} tenants in all.</p>
              </div>
              <div class="card">
                <h2>Usage in {d.month}</h2>
                <dl class="platform-dl">
                  <dt>Customer messages</dt><dd>{n(d.usage.messages)}</dd>
                  <dt>Bookings made</dt><dd>{n(d.usage.bookings)}</dd>
                  <dt>AI model calls</dt><dd>{n(d.usage.model_calls)}</dd>
                  <dt>AI tokens</dt><dd>{n(d.usage.tokens)}</dd>
                </dl>
                <p class="hint">This calendar month (UTC), tenants not deleted.</p>
              </div>
            </div>
            <div class="card">
              <h2>Busiest tenants this month</h2>
              {d.top_by_messages.length === 0 ? <Empty>No customer messages yet this month.</Empty> : (
                <TableWrap label="Tenants with the most customer messages this month">
                  <table>
                    <caption class="visually-hidden">Tenants with the most customer messages this month</caption>
                    <thead><tr><th scope="col">Business</th><th scope="col">Plan</th><th scope="col">Messages</th></tr></thead>
                    <tbody>
                      {d.top_by_messages.map((t) => (
                        <tr key={t.id}>
                          <td><a href={`${shell.base}tenants/${t.id}`}>{t.name || t.slug}</a></td>
                          <td><PlanBadge plan={t.plan} /></td>
                          <td>{n(t.messages)}</td>
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
