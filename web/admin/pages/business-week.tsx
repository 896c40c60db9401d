// business-week.tsx — a weekly editor of time ranges (opening hours, a staff
// member's schedule): several ranges a day, each a pair of time inputs, all
// plain form controls so the keyboard works as everywhere else.
import type { ApiError } from '../api';

export interface Range { weekday: number; from: string; to: string }

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** ranges[i] of the API's list → the field name its errors carry. */
export function WeekEditor({ ranges, onChange, readOnly, error, field, keys }: {
  ranges: Range[]; onChange: (r: Range[]) => void; readOnly: boolean; error: ApiError | null;
  /** The API's list name ("intervals"); errors name "intervals[2].ends". */
  field: string; keys: [string, string];
}) {
  const set = (i: number, k: 'from' | 'to', v: string) =>
    onChange(ranges.map((r, j) => (j === i ? { ...r, [k]: v } : r)));
  const issue = (i: number) => error?.details.filter((d) => d.field.startsWith(`${field}[${i}]`)).map((d) => d.issue).join('; ');
  return (
    <div class="week">
      {WEEKDAYS.map((name, d) => {
        const day = d + 1;
        const mine = ranges.map((r, i) => ({ r, i })).filter((x) => x.r.weekday === day);
        return (
          <fieldset key={day} class="week-day">
            <legend>{name}</legend>
            {mine.length === 0 && <p class="hint">Closed</p>}
            {mine.map(({ r, i }, n) => {
              const bad = issue(i);
              return (
                <div class={`week-range${bad ? ' invalid' : ''}`} key={i}>
                  <label>
                    <span class="sr">{name} range {n + 1} </span>from
                    <input type="time" name={`${field}[${i}].${keys[0]}`} value={r.from} required disabled={readOnly}
                      aria-invalid={bad ? true : undefined} onInput={(e) => set(i, 'from', (e.target as HTMLInputElement).value)} />
                  </label>
                  <label>
                    <span class="sr">{name} range {n + 1} </span>to
                    <input type="time" name={`${field}[${i}].${keys[1]}`} value={r.to === '24:00' ? '23:59' : r.to} required disabled={readOnly}
                      aria-invalid={bad ? true : undefined} onInput={(e) => set(i, 'to', (e.target as HTMLInputElement).value)} />
                  </label>
                  {!readOnly && (
                    <button type="button" class="link" aria-label={`Remove ${name} ${r.from}–${r.to}`}
                      onClick={() => onChange(ranges.filter((_, j) => j !== i))}>Remove</button>
                  )}
                  {bad && <small class="field-error">{bad}</small>}
                </div>
              );
            })}
            {!readOnly && (
              <button type="button" class="link" onClick={() => {
                const last = mine[mine.length - 1]?.r;
                onChange([...ranges, last ? { weekday: day, from: last.to, to: last.to < '20:00' ? '20:00' : '23:59' }
                  : { weekday: day, from: '09:00', to: '17:00' }]);
              }}>Add a range on {name}</button>
            )}
          </fieldset>
        );
      })}
    </div>
  );
}

/** Sorted by day then start, as the API stores them. */
export const sortRanges = (r: Range[]) => [...r].sort((a, b) => a.weekday - b.weekday || a.from.localeCompare(b.from));
