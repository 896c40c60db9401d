// team.tsx — Team: the members and their roles, invitations, API keys
// (the secret shown once), and the team's security rule (2FA for all).
// The server decides who may grant what; its refusals are shown as it
// words them. Buttons appear only where the caller may write.
import { useState } from 'preact/hooks';
import { api, type Page } from '../api';
import { dateTime, zoneLabel } from '../format';
import { can, me, perms } from '../state';
import {
  Async, Badge, Can, Checkbox, CopyButton, Dialog, Empty, FormError, PageHeader, Select, TextField,
  confirmAction, say, useLoad, useSubmit,
} from '../ui';

export const ROLES = ['OWNER', 'ADMIN', 'VIEWER', 'STAFF', 'ORDER_MANAGER', 'ACCOUNTANT'];
const roleLabel = (r: string) => r.charAt(0) + r.slice(1).toLowerCase().replace('_', ' ');
const roleOptions = ROLES.map((r) => ({ value: r, label: roleLabel(r) }));

interface Member { id: string; email: string; name?: string | null; role: string; version: number; totp_enabled: boolean; created_at: string }
interface Invitation { id: string; email: string; role: string; status: string; expires_at: string; created_at: string }
interface ApiKey { id: string; name: string; prefix: string; role: string; scopes: string[]; last_used_at: string | null; created_at: string; revoked_at: string | null }
interface Security { mfa_required: boolean; version: number }

/* ---- members ------------------------------------------------------------- */

function MemberRow({ m, onChanged }: { m: Member; onChanged: () => void }) {
  const s = useSubmit();
  const self = me.value?.user.id === m.id;
  const setRole = (role: string) => void s.run(async () => {
    await api.patch(`/v1/admin/users/${m.id}`, { role }, { version: m.version });
    say(`${m.email} is now ${roleLabel(role)}.`);
    onChanged();
  });
  return (
    <tr>
      <td>{m.name || m.email}{m.name && <div class="hint">{m.email}</div>}{self && <Badge>you</Badge>}</td>
      <td>
        {can('users', 'write') ? (
          <Select label={`Role of ${m.email}`} name="role" value={m.role} onValue={setRole}
            options={roleOptions} error={s.error} disabled={s.busy} />
        ) : roleLabel(m.role)}
        <FormError error={s.error?.field('role') ? null : s.error} onReload={onChanged} />
      </td>
      <td>{m.totp_enabled ? <Badge kind="ok">2FA on</Badge> : <Badge kind="warn">2FA off</Badge>}</td>
      <Can resource="users">
        <td>
          <button type="button" class="danger" disabled={s.busy} aria-label={`Remove ${m.email}`}
            onClick={() => {
              if (!confirmAction(`Remove ${m.email} from the team? Their account stays; they lose access here.`)) return;
              void s.run(async () => {
                await api.del(`/v1/admin/users/${m.id}`);
                say(`${m.email} was removed.`);
                onChanged();
              });
            }}>Remove</button>
        </td>
      </Can>
    </tr>
  );
}

function Members() {
  const list = useLoad(() => api.get<Page<Member>>('/v1/admin/users?limit=100'));
  return (
    <section class="card" aria-labelledby="members-h">
      <h2 id="members-h">Members</h2>
      <Async state={list}>{(d) => d.items.length === 0 ? <Empty>No members.</Empty> : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Members">
          <table class="team-table">
            <thead><tr><th scope="col">Person</th><th scope="col">Role</th><th scope="col">Two-step</th>
              {can('users', 'write') && <th scope="col"><span class="sr-only">Actions</span></th>}</tr></thead>
            <tbody>{d.items.map((m) => <MemberRow key={`${m.id}-${m.version}`} m={m} onChanged={list.reload} />)}</tbody>
          </table>
        </div>
      )}</Async>
    </section>
  );
}

/* ---- invitations --------------------------------------------------------- */

function Invitations() {
  const list = useLoad(() => api.get<Page<Invitation>>('/v1/admin/invitations?limit=100'));
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('STAFF');
  const s = useSubmit();
  const revoke = useSubmit();
  const statusKind: Record<string, string> = { pending: 'warn', accepted: 'ok', expired: '', revoked: '' };
  return (
    <section class="card" aria-labelledby="inv-h">
      <h2 id="inv-h">Invitations</h2>
      <Can resource="users">
        <form class="row" onSubmit={(e) => {
          e.preventDefault();
          void s.run(async () => {
            await api.post('/v1/admin/invitations', { email: email.trim(), role });
            say(`Invitation sent to ${email.trim()}.`);
            setEmail('');
            list.reload();
          });
        }}>
          <TextField label="E-mail" name="email" type="email" value={email} onValue={setEmail} error={s.error}
            required maxLength={254} autoComplete="off" />
          <Select label="Role" name="role" value={role} onValue={setRole} options={roleOptions} error={s.error} />
          <button type="submit" class="primary" disabled={s.busy}>Invite</button>
        </form>
        <FormError error={s.error?.field('email') || s.error?.field('role') ? null : s.error} />
        <FormError error={revoke.error} />
      </Can>
      <Async state={list}>{(d) => d.items.length === 0 ? <Empty>No invitations yet.</Empty> : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Invitations">
          <table>
            <caption class="hint">Expiry times in {zoneLabel()}</caption>
            <thead><tr><th scope="col">E-mail</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Expires</th>
              {can('users', 'write') && <th scope="col"><span class="sr-only">Actions</span></th>}</tr></thead>
            <tbody>{d.items.map((i) => (
              <tr key={i.id}>
                <td>{i.email}</td><td>{roleLabel(i.role)}</td>
                <td><Badge kind={statusKind[i.status] ?? ''}>{i.status}</Badge></td>
                <td>{i.status === 'pending' ? dateTime(i.expires_at) : '—'}</td>
                <Can resource="users"><td>{i.status === 'pending' && (
                  <button type="button" disabled={revoke.busy} aria-label={`Revoke the invitation to ${i.email}`}
                    onClick={() => void revoke.run(async () => {
                      await api.del(`/v1/admin/invitations/${i.id}`);
                      say(`The invitation to ${i.email} was revoked.`);
                      list.reload();
                    })}>Revoke</button>
                )}</td></Can>
              </tr>
            ))}</tbody>
          </table>
        </div>
      )}</Async>
    </section>
  );
}

/* ---- API keys ------------------------------------------------------------ */

function NewKey({ onCreated }: { onCreated: (key: string) => void }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [role, setRole] = useState('VIEWER');
  const mine = Object.keys(perms.value?.permissions ?? {}).sort();
  const [scopes, setScopes] = useState<string[]>([]);
  const s = useSubmit();
  const toggle = (r: string, on: boolean) => setScopes((x) => on ? [...x, r] : x.filter((y) => y !== r));
  return (
    <>
      <button type="button" class="primary" onClick={() => { setOpen(true); setName(''); setScopes([]); s.setError(null); }}>
        Create API key
      </button>
      <Dialog title="Create an API key" open={open} onClose={() => setOpen(false)}>
        <form onSubmit={(e) => {
          e.preventDefault();
          void s.run(async () => {
            const k = await api.post<{ key: string }>('/v1/admin/api-keys', { name: name.trim(), role, scopes });
            setOpen(false);
            onCreated(k.key);
          });
        }}>
          <TextField label="Name" name="name" value={name} onValue={setName} error={s.error} required
            maxLength={100} hint="What uses it, e.g. “Booking sync”." />
          <Select label="Role" name="role" value={role} onValue={setRole} options={roleOptions} error={s.error}
            hint="The key can do what this role can, within its scopes." />
          <fieldset class="scopes">
            <legend>Scopes (at least one)</legend>
            {mine.map((r) => <Checkbox key={r} label={r.replace('_', ' ')} checked={scopes.includes(r)}
              onValue={(v) => toggle(r, v)} />)}
          </fieldset>
          <FormError error={s.error} />
          <button type="submit" class="primary" disabled={s.busy || scopes.length === 0}>Create key</button>
        </form>
      </Dialog>
    </>
  );
}

function ApiKeys() {
  const list = useLoad(() => api.get<Page<ApiKey>>('/v1/admin/api-keys?limit=100'));
  const [secret, setSecret] = useState<string | null>(null);
  const s = useSubmit();
  return (
    <section class="card" aria-labelledby="keys-h">
      <h2 id="keys-h">API keys</h2>
      <p class="hint">For other systems that read or change this business's data. A key's secret is shown once, when it is made.</p>
      <Can resource="api_keys"><NewKey onCreated={(k) => { setSecret(k); list.reload(); }} /></Can>
      <Dialog title="Your new API key" open={secret !== null} onClose={() => setSecret(null)}>
        <p><strong>Copy it now.</strong> It is not shown again: if it is lost, revoke it and make a new one.</p>
        <p><code class="secret api-key">{secret}</code></p>
        <CopyButton text={secret ?? ''} label="Copy key" />{' '}
        <button type="button" onClick={() => setSecret(null)}>Done</button>
      </Dialog>
      <FormError error={s.error} />
      <Async state={list}>{(d) => d.items.length === 0 ? <Empty>No API keys.</Empty> : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="API keys">
          <table>
            <caption class="hint">Times in {zoneLabel()}</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Key</th><th scope="col">Role and scopes</th><th scope="col">Last used</th>
              {can('api_keys', 'write') && <th scope="col"><span class="sr-only">Actions</span></th>}</tr></thead>
            <tbody>{d.items.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td><code>rk_live_{k.prefix}_…</code></td>
                <td>{roleLabel(k.role)}<div class="hint">{k.scopes.join(', ')}</div></td>
                <td>{k.revoked_at ? <Badge>revoked</Badge> : k.last_used_at ? dateTime(k.last_used_at) : 'never'}</td>
                <Can resource="api_keys"><td>{!k.revoked_at && (
                  <button type="button" class="danger" disabled={s.busy} aria-label={`Revoke the key ${k.name}`}
                    onClick={() => {
                      if (!confirmAction(`Revoke “${k.name}”? Whatever uses it stops working at once.`)) return;
                      void s.run(async () => {
                        await api.del(`/v1/admin/api-keys/${k.id}`);
                        say(`The key ${k.name} was revoked.`);
                        list.reload();
                      });
                    }}>Revoke</button>
                )}</td></Can>
              </tr>
            ))}</tbody>
          </table>
        </div>
      )}</Async>
    </section>
  );
}

/* ---- security ------------------------------------------------------------ */

function SecurityCard() {
  const cur = useLoad(() => api.get<Security>('/v1/admin/security'));
  return <Async state={cur}>{(d) => <SecurityEdit key={d.version} d={d} reload={cur.reload} />}</Async>;
}

function SecurityEdit({ d, reload }: { d: Security; reload: () => void }) {
  // The box shows what the user asked for while the server answers, and
  // goes back if it refuses.
  const [want, setWant] = useState(d.mfa_required);
  const [version, setVersion] = useState(d.version);
  const s = useSubmit();
  const save = async (mfa: boolean, v?: number) => {
    setWant(mfa);
    const r = await s.run(() => api.patch<Security>('/v1/admin/security', { mfa_required: mfa }, { version: v }));
    if (!r) return setWant(!mfa);
    setVersion(r.version);
    say(mfa ? 'Two-step sign-in is now required for everyone.' : 'Two-step sign-in is now optional.');
  };
  return (
    <section class="card" aria-labelledby="sec-h">
      <h2 id="sec-h">Security</h2>
      {can('security', 'write') ? (
        <Checkbox label="Require two-step sign-in for every member" checked={want}
          disabled={s.busy} onValue={(v) => void save(v, version)}
          hint="Members without it are asked to set it up before they can continue." />
      ) : (
        <p>Two-step sign-in is {d.mfa_required ? <strong>required</strong> : 'optional'} for members.</p>
      )}
      <FormError error={s.error} onReload={reload} onOverwrite={() => void save(!want)} />
    </section>
  );
}

export default function Team() {
  return (
    <section class="team">
      <PageHeader title="Team" />
      <Members />
      <Invitations />
      {can('api_keys', 'read') && <ApiKeys />}
      {can('security', 'read') && <SecurityCard />}
    </section>
  );
}
