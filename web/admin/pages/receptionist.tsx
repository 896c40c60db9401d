// receptionist.tsx — how the business's AI receptionist behaves: greeting,
// tone, when to hand over to a person, what it must never do (PATCH
// /v1/admin/ai-settings, If-Match); which model answers and its key (PUT /
// DELETE /v1/admin/ai-provider — the key is write-only and never shown
// again); this month's AI usage; and a "try it" chat against the
// business's own receptionist through the public chat API on this host.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { can } from '../state';
import { Async, Badge, Checkbox, FormError, PageHeader, say, Select, TextArea, TextField, useLoad, useSubmit } from '../ui';
import { TryIt } from './receptionist-try';

interface Settings {
  tone: 'friendly' | 'professional' | 'playful' | 'concise';
  greeting: string | null;
  escalation_rules: string | null;
  never_do: string[];
  allow_human_handoff: boolean;
  handoff_keywords: string[];
  version: number;
}

interface Provider {
  source: 'platform' | 'tenant';
  provider: string;
  model?: string | null;
  base_url?: string | null;
  has_api_key: boolean;
  version?: number;
  platform_default?: { provider: string; model?: string | null };
}

interface Usage {
  month: string;
  plan: string;
  messages: { used: number; limit: number | null; remaining: number | null };
  model_calls: number;
  input_tokens: number;
  output_tokens: number;
  by_model: { provider: string; model: string; calls: number; input_tokens: number; output_tokens: number }[];
}

const lines = (s: string) => s.split('\n').map((x) => x.trim()).filter(Boolean);

/** The server names list items "never_do[2]": show them on the list's field. */
function listError(e: ApiError | null, name: string): ApiError | null {
  if (!e) return null;
  const d = e.details.find((x) => x.field === name || x.field.startsWith(`${name}[`));
  if (!d || d.field === name) return e;
  return new ApiError(e.status, e.code, e.message, [...e.details, { field: name, issue: `line ${Number(d.field.slice(name.length + 1, -1)) + 1}: ${d.issue}` }]);
}

function SettingsForm() {
  const state = useLoad((signal) => api.get<Settings>('/v1/admin/ai-settings', { signal }));
  const write = can('ai_settings', 'write');
  return (
    <section class="card" aria-labelledby="behave-h">
      <h2 id="behave-h">How it behaves</h2>
      <Async state={state}>{(d) => <SettingsFields key={d.version} initial={d} write={write} reload={state.reload} />}</Async>
    </section>
  );
}

function SettingsFields({ initial, write, reload }: { initial: Settings; write: boolean; reload: () => void }) {
  const [tone, setTone] = useState(initial.tone);
  const [greeting, setGreeting] = useState(initial.greeting ?? '');
  const [rules, setRules] = useState(initial.escalation_rules ?? '');
  const [keywords, setKeywords] = useState(initial.handoff_keywords.join('\n'));
  const [never, setNever] = useState(initial.never_do.join('\n'));
  const [handoff, setHandoff] = useState(initial.allow_human_handoff);
  const [version, setVersion] = useState(initial.version);
  const s = useSubmit();
  const save = (v: number) => s.run(async () => {
    const r = await api.patch<Settings>('/v1/admin/ai-settings', {
      tone, greeting: greeting.trim() || null, escalation_rules: rules.trim() || null,
      handoff_keywords: lines(keywords), never_do: lines(never), allow_human_handoff: handoff,
    }, { version: v });
    setVersion(r.version);
    say('Receptionist settings saved.');
    return r;
  });
  const overwrite = async () => {
    const cur = await api.get<Settings>('/v1/admin/ai-settings');
    await save(cur.version);
  };
  const dis = !write;
  if (!write) {
    return (
      <dl class="facts">
        <dt>Greeting</dt><dd>{initial.greeting || 'The standard greeting'}</dd>
        <dt>Tone</dt><dd>{initial.tone}</dd>
        <dt>Hands over to a person when asked</dt><dd>{initial.allow_human_handoff ? 'Yes' : 'No'}</dd>
        <dt>Escalation keywords</dt><dd>{initial.handoff_keywords.join(', ') || '—'}</dd>
        <dt>When to hand over</dt><dd>{initial.escalation_rules || '—'}</dd>
        <dt>Never do</dt><dd>{initial.never_do.length ? <ul>{initial.never_do.map((x) => <li key={x}>{x}</li>)}</ul> : '—'}</dd>
      </dl>
    );
  }
  return (
    <form onSubmit={(e) => { e.preventDefault(); void save(version); }}>
      <TextArea label="Greeting" name="greeting" value={greeting} onValue={setGreeting} rows={2} maxLength={500} error={s.error}
        hint="The first message a customer sees. Leave empty for the standard greeting." />
      <Select label="Tone" name="tone" value={tone} onValue={(v) => setTone(v as Settings['tone'])} disabled={dis} error={s.error}
        options={[{ value: 'friendly', label: 'Friendly' }, { value: 'professional', label: 'Professional' },
          { value: 'playful', label: 'Playful' }, { value: 'concise', label: 'Concise' }]} />
      <Checkbox label="Hand the conversation to a person when asked" checked={handoff} onValue={setHandoff} disabled={dis} />
      <TextArea label="Escalation keywords" name="handoff_keywords" value={keywords} onValue={setKeywords} rows={3}
        error={listError(s.error, 'handoff_keywords')} hint="One per line (e.g. complaint, refund). A customer's message with one of them goes to a person. Up to 50." />
      <TextArea label="When to hand over (in your words)" name="escalation_rules" value={rules} onValue={setRules} rows={2} maxLength={2000} error={s.error} />
      <TextArea label="Never do" name="never_do" value={never} onValue={setNever} rows={3}
        error={listError(s.error, 'never_do')} hint="One rule per line, e.g. “Never give medical advice”. Up to 50, 200 characters each." />
      <FormError error={s.error} onReload={reload} onOverwrite={() => void overwrite()} />
      {write && <button type="submit" class="primary" disabled={s.busy}>{s.busy ? 'Saving…' : 'Save settings'}</button>}
    </form>
  );
}

function ProviderForm() {
  const state = useLoad((signal) => api.get<Provider>('/v1/admin/ai-provider', { signal }));
  return (
    <section class="card" aria-labelledby="model-h">
      <h2 id="model-h">Model and key</h2>
      <Async state={state}>{(p) => <ProviderFields key={`${p.source}-${p.version ?? 0}-${p.has_api_key}`} p={p} set={state.set} />}</Async>
    </section>
  );
}

function ProviderFields({ p, set }: { p: Provider; set: (p: Provider) => void }) {
  const own = p.source === 'tenant';
  const [provider, setProvider] = useState(own ? p.provider : 'openai');
  const [model, setModel] = useState(own ? p.model ?? '' : '');
  const [key, setKey] = useState('');
  const [removeKey, setRemoveKey] = useState(false);
  const [baseUrl, setBaseUrl] = useState(own ? p.base_url ?? '' : '');
  const s = useSubmit();
  const write = can('ai_settings', 'write');

  const save = (e: Event) => {
    e.preventDefault();
    void s.run(async () => {
      const body: Record<string, unknown> = { provider, model: model.trim() || null, base_url: baseUrl.trim() || null };
      if (removeKey) body.api_key = null;
      else if (key) body.api_key = key; // omitted: the stored key stays
      const r = await api.put<Provider>('/v1/admin/ai-provider', body);
      setKey('');
      set(r);
      say('Model settings saved.');
      return r;
    });
  };
  const reset = () => void s.run(async () => {
    await api.del('/v1/admin/ai-provider');
    set(await api.get<Provider>('/v1/admin/ai-provider'));
    say('Back to the standard model.');
    return true;
  });

  return (
    <>
      <p class="model-now">
        {own ? <>Your own model: <strong>{p.provider}</strong>{p.model ? ` (${p.model})` : ''}</>
          : <>The standard model{p.platform_default ? <>: <strong>{p.platform_default.provider}</strong>{p.platform_default.model ? ` (${p.platform_default.model})` : ''}</> : ''}</>}
        {' '}{own && (p.has_api_key ? <Badge kind="ok">A key is stored</Badge> : <Badge>No key stored</Badge>)}
      </p>
      {write && (
        <form onSubmit={save}>
          <Select label="Provider" name="provider" value={provider} onValue={setProvider} error={s.error}
            options={[{ value: 'openai', label: 'OpenAI (or compatible)' }, { value: 'anthropic', label: 'Anthropic' },
              { value: 'gemini', label: 'Google Gemini' }, { value: 'offline', label: 'Built-in (no model)' }]} />
          <TextField label="Model" name="model" value={model} onValue={setModel} maxLength={200} error={s.error}
            hint="Empty for the provider's default." autoComplete="off" />
          <TextField label="API key" name="api_key" type="password" value={key} onValue={setKey} maxLength={4096} error={s.error}
            autoComplete="new-password" disabled={removeKey}
            hint={p.has_api_key ? 'A key is stored and is never shown again. Type a new one to replace it; leave empty to keep it.' : 'Stored encrypted; never shown again once saved.'} />
          {p.has_api_key && <Checkbox label="Remove the stored key" checked={removeKey} onValue={setRemoveKey} />}
          <TextField label="Base URL" name="base_url" value={baseUrl} onValue={setBaseUrl} maxLength={500} error={s.error}
            hint="Only for an OpenAI-compatible service your provider allows. Usually empty." type="url" />
          <FormError error={s.error} />
          <div class="row">
            <button type="submit" class="primary" disabled={s.busy}>{s.busy ? 'Saving…' : 'Save model settings'}</button>
            {own && <button type="button" onClick={reset} disabled={s.busy}>Use the standard model</button>}
          </div>
        </form>
      )}
    </>
  );
}

function UsageCard() {
  const state = useLoad((signal) => api.get<Usage>('/v1/admin/usage/ai', { signal }));
  return (
    <section class="card" aria-labelledby="usage-h">
      <h2 id="usage-h">This month's use</h2>
      <Async state={state}>{(u) => (
        <>
          <p>
            <strong>{u.messages.used}</strong> customer messages
            {u.messages.limit !== null ? <> of {u.messages.limit} on your plan ({u.messages.remaining} left)</> : ' (no limit on your plan)'}.
          </p>
          {u.messages.limit !== null && (
            <progress max={u.messages.limit} value={Math.min(u.messages.used, u.messages.limit)} aria-label="Messages used" />
          )}
          <p class="hint">{u.model_calls} model calls, {u.input_tokens.toLocaleString()} tokens in, {u.output_tokens.toLocaleString()} out ({u.month}, UTC).</p>
        </>
      )}</Async>
    </section>
  );
}

export default function ReceptionistPage() {
  return (
    <>
      <PageHeader title="Receptionist" />
      <div class="recep">
        <div>
          <SettingsForm />
          <ProviderForm />
          {can('billing', 'read') && <UsageCard />}
        </div>
        {/* A test chat is real (it can book): for those who may change things. */}
        {can('ai_settings', 'write') && <TryIt />}
      </div>
    </>
  );
}
