// ui.tsx — the few pieces every page is built from: page frame with its
// loading / error / empty states, form fields that show the server's field
// errors, the "changed elsewhere" choice, dialogs and the status line.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { signal } from '@preact/signals';
import { ApiError, errorText } from './api';
import { can, shell } from './state';

/* ---- page frame ---------------------------------------------------------- */

export function PageHeader({ title, children }: { title: string; children?: ComponentChildren }) {
  useEffect(() => { document.title = shell.name ? `${title} · ${shell.name}` : title; }, [title]);
  return (
    <header class="page-head">
      <h1 tabIndex={-1} id="page-title">{title}</h1>
      {children && <div class="page-actions">{children}</div>}
    </header>
  );
}

export const Loading = ({ what = 'Loading…' }: { what?: string }) => (
  <p class="state loading" role="status" aria-live="polite">{what}</p>
);

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div class="state error" role="alert">
      <p>{errorText(error)}</p>
      {retry && <button type="button" onClick={retry}>Try again</button>}
    </div>
  );
}

export const Empty = ({ children }: { children: ComponentChildren }) => <div class="state empty">{children}</div>;

export interface Loaded<T> { data: T | null; error: unknown; loading: boolean; reload: () => void; set: (d: T) => void }

/** Runs load() now and whenever deps change; the latest answer wins. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[] = []): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  // A layout effect, not an effect: the request leaves as soon as the page
  // is rendered, not a frame later after the browser has painted it.
  useLayoutEffect(() => {
    const ac = new AbortController();
    setLoading(true);
    load(ac.signal).then((d) => { if (!ac.signal.aborted) { setData(d); setError(null); } })
      .catch((e) => { if (!ac.signal.aborted) setError(e); })
      .finally(() => { if (!ac.signal.aborted) setLoading(false); });
    return () => ac.abort();
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload, set: setData };
}

/** Loading, then error, then the content: the three states of every page. */
export function Async<T>({ state, children }: { state: Loaded<T>; children: (d: T) => ComponentChildren }) {
  if (state.error && !state.data) return <ErrorState error={state.error} retry={state.reload} />;
  if (state.data === null) return <Loading />;
  return <>{children(state.data)}</>;
}

/* ---- forms --------------------------------------------------------------- */

let nextId = 0;
const uid = (p: string) => `${p}-${++nextId}`;

interface FieldProps {
  label: string;
  /** The API's field name: the server's error for it shows here. */
  name: string;
  error?: ApiError | null;
  hint?: string;
  children: (id: string, describedBy: string | undefined, invalid: boolean) => ComponentChildren;
}

export function Field({ label, name, error, hint, children }: FieldProps) {
  const id = useRef(uid(name)).current;
  const issue = error?.field(name);
  const described = [hint ? `${id}-hint` : '', issue ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${issue ? ' invalid' : ''}`}>
      <label for={id}>{label}</label>
      {children(id, described, !!issue)}
      {hint && <small id={`${id}-hint`} class="hint">{hint}</small>}
      {issue && <small id={`${id}-err`} class="field-error">{issue}</small>}
    </div>
  );
}

/** The input attributes forms use (the DOM's names). */
interface InputAttrs {
  type?: string; autoComplete?: string; required?: boolean; minLength?: number; maxLength?: number;
  pattern?: string; inputMode?: 'numeric' | 'text' | 'email' | 'tel' | 'url' | 'decimal' | 'search';
  autoFocus?: boolean; placeholder?: string; min?: string | number; max?: string | number;
  step?: string | number; disabled?: boolean; readOnly?: boolean; list?: string;
}

export function TextField({ label, name, value, onValue, error, hint, ...rest }: InputAttrs & {
  label: string; name: string; value: string | number | null | undefined; onValue: (v: string) => void;
  error?: ApiError | null; hint?: string;
}) {
  return (
    <Field label={label} name={name} error={error} hint={hint}>
      {(id, d, invalid) => (
        <input id={id} name={name} value={value ?? ''} aria-describedby={d} aria-invalid={invalid || undefined}
          onInput={(e) => onValue((e.target as HTMLInputElement).value)} {...(rest as Record<string, unknown>)} />
      )}
    </Field>
  );
}

export function TextArea({ label, name, value, onValue, error, hint, rows = 3, maxLength }: {
  label: string; name: string; value: string | null | undefined; onValue: (v: string) => void;
  error?: ApiError | null; hint?: string; rows?: number; maxLength?: number;
}) {
  return (
    <Field label={label} name={name} error={error} hint={hint}>
      {(id, d, invalid) => (
        <textarea id={id} name={name} rows={rows} maxLength={maxLength} value={value ?? ''} aria-describedby={d}
          aria-invalid={invalid || undefined} onInput={(e) => onValue((e.target as HTMLTextAreaElement).value)} />
      )}
    </Field>
  );
}

export function Select({ label, name, value, onValue, options, error, hint, disabled }: {
  label: string; name: string; value: string; onValue: (v: string) => void;
  options: { value: string; label: string }[]; error?: ApiError | null; hint?: string; disabled?: boolean;
}) {
  return (
    <Field label={label} name={name} error={error} hint={hint}>
      {(id, d, invalid) => (
        <select id={id} name={name} value={value} aria-describedby={d} aria-invalid={invalid || undefined}
          disabled={disabled} onChange={(e) => onValue((e.target as HTMLSelectElement).value)}>
          {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
        </select>
      )}
    </Field>
  );
}

export function Checkbox({ label, checked, onValue, disabled, hint }: {
  label: string; checked: boolean; onValue: (v: boolean) => void; disabled?: boolean; hint?: string;
}) {
  return (
    <label class="check">
      <input type="checkbox" checked={checked} disabled={disabled}
        onChange={(e) => onValue((e.target as HTMLInputElement).checked)} />
      <span>{label}{hint && <small class="hint"> {hint}</small>}</span>
    </label>
  );
}

/** A form's submit state: busy, the server's error, and the stale choice. */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = useCallback(async <R,>(fn: () => Promise<R>): Promise<R | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'error', errorText(e)));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}

/** The form-level message: the server's words, or, when If-Match lost, the
 * choice between reloading and overwriting. */
export function FormError({ error, onReload, onOverwrite }: {
  error: ApiError | null; onReload?: () => void; onOverwrite?: () => void;
}) {
  if (!error) return null;
  if (error.stale) {
    return (
      <div class="form-error" role="alert">
        <p>Changed elsewhere since you opened it.</p>
        {onReload && <button type="button" onClick={onReload}>Reload their version</button>}
        {onOverwrite && <button type="button" class="danger" onClick={onOverwrite}>Overwrite with mine</button>}
      </div>
    );
  }
  return (
    <div class="form-error" role="alert">
      <p>{error.message}</p>
      {error.details.length > 0 && !error.details.every((d) => document.querySelector(`[name="${CSS.escape(d.field)}"]`)) && (
        <ul>{error.details.map((d) => <li key={d.field}>{d.field}: {d.issue}</li>)}</ul>
      )}
    </div>
  );
}

/* ---- permission-driven pieces -------------------------------------------- */

/** Renders children only if the caller may do verb on resource. */
export function Can({ resource, verb = 'write', children }: {
  resource: string; verb?: 'read' | 'write'; children: ComponentChildren;
}) {
  return can(resource, verb) ? <>{children}</> : null;
}

/* ---- dialog -------------------------------------------------------------- */

/** A modal <dialog>: focus moves in, Escape closes, focus returns after. */
export function Dialog({ title, open, onClose, children }: {
  title: string; open: boolean; onClose: () => void; children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useRef(uid('dlg')).current;
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={id} onClose={onClose} onCancel={onClose}>
      {open && (
        <>
          <header class="dialog-head">
            <h2 id={id}>{title}</h2>
            <button type="button" class="icon" aria-label="Close" onClick={onClose}>×</button>
          </header>
          {children}
        </>
      )}
    </dialog>
  );
}

/** "Are you sure?" in words, for destructive buttons. */
export function confirmAction(question: string): boolean {
  return window.confirm(question);
}

/* ---- status line (toasts) ------------------------------------------------ */

export const notice = signal<{ text: string; kind: 'ok' | 'error' } | null>(null);
let noticeTimer = 0;

export function say(text: string, kind: 'ok' | 'error' = 'ok'): void {
  notice.value = { text, kind };
  clearTimeout(noticeTimer);
  noticeTimer = window.setTimeout(() => { notice.value = null; }, 5000);
}

export function Notice() {
  const n = notice.value;
  return (
    <div class={`notice ${n ? n.kind : ''}`} role="status" aria-live="polite">{n?.text ?? ''}</div>
  );
}

/* ---- small things -------------------------------------------------------- */

export function Badge({ children, kind = '' }: { children: ComponentChildren; kind?: string }) {
  return <span class={`badge ${kind}`}>{children}</span>;
}

/** Copies text and says so (for snippets, keys, links). */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  return (
    <button type="button" onClick={() => {
      navigator.clipboard?.writeText(text).then(() => say('Copied.'), () => say('Copy failed: select and copy by hand.', 'error'));
    }}>{label}</button>
  );
}
