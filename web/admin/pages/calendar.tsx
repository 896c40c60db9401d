// calendar.tsx — the schedule as a grid: a day (one column per staff
// member) or a week (seven days, each split into the staff's lanes), with
// bookings as blocks placed by time; or the same grid by resource (rooms,
// chairs, equipment: one lane each, a booking shown in every one it holds). Blocks open the booking's actions;
// dragging one to another time or person asks to move it there (the
// server decides, and says why not); the same move is a keyboard form in
// the booking's dialog. New bookings take a time the engine offers.
//
// Rendering stays cheap for a busy week (10 staff, 300 bookings): the API
// answers times in the business's zone, so a block's day and minutes are
// read from the string (no date maths per block), the layout is memoised
// per answer, and blocks are absolutely placed buttons with no work of
// their own. performance marks "rcp-cal-start" (the page's first render),
// "rcp-cal-data" (bookings in hand) and "rcp-cal-painted" (the frame after
// the blocks were committed) are what bench/admin_week.mjs measures.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { can, shell } from '../state';
import { addDays, dateTime, instant, longDate, shortDate, time, today, zoneLabel } from '../format';
import { Async, Badge, Dialog, PageHeader, Select, useLoad } from '../ui';
import {
  type Booking, type Resource, type Service, type Staff, STATUS_KIND, STATUS_WORDS, columns, loadRange,
  loadResources, loadServices, loadStaff, movable, ownOnly, useLiveReload,
} from './desk-data';
import { BookingActions, MoveDialog, NewBookingDialog, dropStart } from './desk-form';

const PX = 1; // pixels per minute (an hour is 60 px tall)
const SNAP = 15;
// Lanes in a day of the week view beyond which a block shows no text.
const BARE_LANES = 3;

if (typeof performance !== 'undefined') performance.mark?.('rcp-cal-module');

function mondayOf(day: string): string {
  const wd = new Date(`${day}T12:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(day, -((wd + 6) % 7));
}

const minutesOf = (iso: string) => Number(iso.slice(11, 13)) * 60 + Number(iso.slice(14, 16));

interface Block {
  b: Booking; lane: number; top: number; height: number;
  /** The visible text first (so speech input matches), then the end, the person, the status. */
  label: string; text: string; sub: string; color: string;
}

const PALETTE = ['#2563eb', '#0f766e', '#b45309', '#7c3aed', '#be123c', '#15803d', '#0e7490', '#a16207', '#4338ca', '#9f1239'];

type By = 'staff' | 'resource';

/** The end of a block's accessible name: its status, and for one still to
 * come whether the customer confirmed it. */
const statusTail = (b: Booking) => `, ${STATUS_WORDS[b.status]}`
  + (b.confirmed_at ? ', confirmed by the customer' : upcoming(b) ? ', not confirmed by the customer' : '');

/** Where each booking item goes: its day column (the blocks come back per
 * day, in the order of `days`), lane and height. Runs once per answer on
 * a cold page (not yet optimised by the JIT), so it is plain loops over
 * the rows, with no closure or array per item, and a booking's status
 * words built once. */
function layout(bookings: Booking[], days: string[], lanes: { id: string; name: string; color: string | null }[], by: By) {
  const laneOf = new Map<string, number>();
  for (let i = 0; i < lanes.length; i++) laneOf.set(lanes[i].id, i);
  const dayOf = new Map<string, number>();
  for (let i = 0; i < days.length; i++) dayOf.set(days[i], i);
  const perDay: Block[][] = days.map(() => []);
  let count = 0;
  let lo = 8 * 60;
  let hi = 18 * 60;
  for (const b of bookings) {
    if (b.status === 'CANCELLED') continue;
    let tail = '';
    for (const it of b.services) {
      const d = dayOf.get(it.start.slice(0, 10));
      if (d === undefined) continue;
      const ids = by === 'staff' ? null : it.resources ?? [];
      const n = ids ? ids.length : 1;
      for (let k = 0; k < n; k++) {
        const lane = laneOf.get(ids ? ids[k].id : it.staff_id);
        if (lane === undefined) continue;
        const s = minutesOf(it.start);
        let e = it.end.slice(0, 10) === days[d] ? minutesOf(it.end) : 24 * 60;
        if (e <= s) e = s + SNAP;
        if (s < lo) lo = s;
        if (e > hi) hi = e;
        if (!tail) tail = statusTail(b);
        const st = it.start.slice(11, 16);
        const where = ids ? `, in ${lanes[lane].name}` : '';
        perDay[d].push({
          b, lane, top: s, height: e - s,
          label: `${st} ${b.customer.name} ${it.name}, until ${it.end.slice(11, 16)}, with ${it.staff_name}${where}${tail}`,
          text: `${b.confirmed_at ? '✓ ' : ''}${st} ${b.customer.name}`, sub: it.name,
          color: lanes[lane].color || PALETTE[lane % PALETTE.length],
        });
        count++;
      }
    }
  }
  const start = Math.floor(lo / 60) * 60;
  const end = Math.min(24 * 60, Math.ceil(hi / 60) * 60);
  return { perDay, count, start, end };
}

/** Still to come, so a customer's confirmation is worth showing. */
const upcoming = (b: Booking) => b.status === 'CONFIRMED' || b.status === 'PENDING';

const ESC = /[&<>"']/;
const esc = (t: string) => (ESC.test(t) ? t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`) : t);

const STATUS_CLASS: Record<Booking['status'], string> = {
  PENDING: 'blk s-pending', CONFIRMED: 'blk s-confirmed', IN_PROGRESS: 'blk s-in_progress',
  COMPLETED: 'blk s-completed', CANCELLED: 'blk s-cancelled', NO_SHOW: 'blk s-no_show',
};

/** One day's column. Its blocks are written as one string of markup,
 * parsed by the browser in one go (far cheaper than creating 300 elements
 * through the virtual DOM with the CPU throttled), then placed through
 * the CSSOM (the CSP allows no style attributes in markup). Clicks and
 * drags are delegated to the grid. */
function DayBlocks({ day, name, list, start, lanes, view, canMove }: {
  day: string; name: string; list: Block[]; start: number; lanes: number; view: 'day' | 'week'; canMove: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const drawn = useRef({ h: '', css: '' });
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    let h = '';
    let css = '';
    const styles: string[] = new Array(list.length);
    const w = 100 / lanes;
    // A week of many lanes leaves a block too narrow for any of its text
    // (a lane of a day column is a dozen pixels): the text would be laid
    // out and clipped to nothing. The block keeps its accessible name and
    // a tooltip; the day view shows the words.
    const bare = view === 'week' && lanes > BARE_LANES;
    for (let i = 0; i < list.length; i++) {
      const bl = list[i];
      const b = bl.b;
      const text = view === 'day' ? `${bl.text}\n${bl.sub}` : bl.text;
      h += `<button type="button" class="${STATUS_CLASS[b.status]}${bare ? ' bare' : ''}" data-booking="${b.id}"`
        + ` draggable="${canMove && movable(b)}" aria-label="${esc(bl.label)}"`
        + (bare ? ` title="${esc(bl.label)}"></button>` : `>${esc(text)}</button>`);
      const st = `top:${(bl.top - start) * PX}px;height:${bl.height * PX}px;left:${bl.lane * w}%;`
        + (bare ? `background-color:${bl.color}` : `--c:${bl.color}`);
      styles[i] = st;
      css += st;
    }
    // A live update often brings the day back unchanged: keep the same
    // elements then, so a block being dragged or holding the keyboard
    // focus is not swapped out from under the person using it.
    if (h === drawn.current.h && css === drawn.current.css) return;
    drawn.current = { h, css };
    el.innerHTML = h;
    let kid = el.firstElementChild as HTMLElement | null;
    for (let i = 0; kid; i++, kid = kid.nextElementSibling as HTMLElement | null) kid.style.cssText = styles[i];
  }, [list, start, lanes, view, canMove]);
  return <div ref={ref} class="cal-day" data-day={day} aria-label={name} role="group" />;
}

function readQuery(): { view: 'day' | 'week'; date: string; by: By } {
  const p = new URLSearchParams(location.search);
  const d = p.get('date') ?? '';
  return {
    view: p.get('view') === 'week' ? 'week' : 'day', date: /^\d{4}-\d{2}-\d{2}$/.test(d) ? d : today(),
    by: p.get('by') === 'resource' ? 'resource' : 'staff',
  };
}

export default function Calendar() {
  const started = useRef(false);
  if (!started.current) {
    started.current = true;
    performance.mark?.('rcp-cal-start');
  }
  const q = readQuery();
  const [view, setView] = useState<'day' | 'week'>(q.view);
  const [date, setDate] = useState(q.date);
  const [only, setOnly] = useState('');
  const [by, setBy] = useState<By>(q.by);
  const first = view === 'week' ? mondayOf(date) : date;
  const days = useMemo(() => Array.from({ length: view === 'week' ? 7 : 1 }, (_, i) => addDays(first, i)), [first, view]);
  const last = days[days.length - 1];

  useEffect(() => {
    const r = by === 'resource' ? '&by=resource' : '';
    history.replaceState(history.state, '', `${location.pathname}?view=${view}&date=${date}${r}`);
  }, [view, date, by]);

  const meta = useLoad(async (signal) => {
    const [staff, services, resources] = await Promise.all([loadStaff(signal),
      can('bookings', 'write') ? loadServices(signal) : Promise.resolve([] as Service[]), loadResources(signal)]);
    return { staff, services, resources };
  }, []);
  const data = useLoad(async (signal) => {
    const rows = await loadRange(instant(first, '00:00'), instant(addDays(last, 1), '00:00'), signal);
    performance.mark?.('rcp-cal-data');
    return rows;
  }, [first, last]);
  useLiveReload(data.reload);

  const step = (n: number) => setDate(addDays(date, n * (view === 'week' ? 7 : 1)));
  const [creating, setCreating] = useState(false);
  const title = view === 'week' ? `Week of ${shortDate(`${first}T12:00:00Z`)}` : longDate(`${date}T12:00:00Z`);

  return (
    <section class="desk calendar">
      <PageHeader title="Calendar">
        {can('bookings', 'write') && meta.data && (
          <button type="button" class="primary" onClick={() => setCreating(true)}>New booking</button>
        )}
      </PageHeader>
      <div class="cal-controls row" role="toolbar" aria-label="Calendar navigation">
        <div class="seg" role="group" aria-label="View">
          <button type="button" aria-pressed={view === 'day'} onClick={() => setView('day')}>Day</button>
          <button type="button" aria-pressed={view === 'week'} onClick={() => setView('week')}>Week</button>
        </div>
        <div class="seg" role="group" aria-label="Move in time">
          <button type="button" onClick={() => step(-1)}>Previous<span class="sr-only"> {view}</span></button>
          <button type="button" onClick={() => setDate(today())}>Today</button>
          <button type="button" onClick={() => step(1)}>Next<span class="sr-only"> {view}</span></button>
        </div>
        <label class="inline">
          <span>Date</span>
          <input type="date" value={date} onChange={(e) => { const v = (e.target as HTMLInputElement).value; if (v) setDate(v); }} />
        </label>
        {meta.data && (meta.data.resources.length > 0 || by === 'resource') && !ownOnly(meta.data.staff) && (
          <div class="seg" role="group" aria-label="Lanes">
            <button type="button" aria-pressed={by === 'staff'} onClick={() => setBy('staff')}>Staff</button>
            <button type="button" aria-pressed={by === 'resource'} onClick={() => setBy('resource')}>Resources</button>
          </div>
        )}
        {by === 'staff' && meta.data && meta.data.staff.length > 1 && !ownOnly(meta.data.staff) && (
          <Select label="Staff" name="only" value={only} onValue={setOnly}
            options={[{ value: '', label: 'Everyone' }, ...meta.data.staff.map((s) => ({ value: s.id, label: s.display_name }))]} />
        )}
      </div>
      <h2 class="cal-title">{title} <small class="hint">Times in {zoneLabel()}</small></h2>
      <Async state={meta}>
        {(m) => (
          <Async state={data}>
            {(rows) => <Grid bookings={rows} staff={m.staff} resources={m.resources} days={days}
              only={by === 'staff' ? only : ''} by={by} view={view} reload={data.reload} />}
          </Async>
        )}
      </Async>
      {meta.data && (
        <NewBookingDialog open={creating} onClose={() => setCreating(false)} onDone={() => data.reload()}
          services={meta.data.services} staff={meta.data.staff} day={date} staffId={only} />
      )}
    </section>
  );
}

/** Resource lanes: every resource, plus any a booking holds that is no
 * longer listed (deleted since). */
function resourceLanes(resources: Resource[], bookings: Booking[]) {
  const lanes = resources.map((r) => ({ id: r.id, name: r.name, color: null as string | null }));
  const seen = new Set(lanes.map((l) => l.id));
  for (const b of bookings) {
    for (const it of b.services) {
      for (const r of it.resources ?? []) {
        if (!seen.has(r.id)) {
          seen.add(r.id);
          lanes.push({ id: r.id, name: r.name, color: null });
        }
      }
    }
  }
  return lanes;
}

function Grid({ bookings, staff, resources, days, only, by, view, reload }: {
  bookings: Booking[]; staff: Staff[]; resources: Resource[]; days: string[]; only: string; by: By;
  view: 'day' | 'week'; reload: () => void;
}) {
  const lanes = useMemo(() => {
    if (by === 'resource') return resourceLanes(resources, bookings);
    const all = columns(staff, bookings);
    return only ? all.filter((c) => c.id === only) : all;
  }, [staff, resources, bookings, only, by]);
  const placed = useMemo(() => {
    performance.mark?.('rcp-cal-layout');
    return layout(bookings, days, lanes, by);
  }, [bookings, days, lanes, by]);
  const { perDay, count, start, end } = placed;
  // Each day's name, formatted once (the heading and the column's label).
  const names = useMemo(() => days.map((d) => shortDate(`${d}T12:00:00Z`)), [days]);
  const [openId, setOpenId] = useState<string | null>(null);
  const [drop, setDrop] = useState<{ b: Booking; start: string; staff_id: string } | null>(null);
  const grab = useRef<{ id: string; offset: number } | null>(null);
  const hours = useMemo(() => {
    const h: number[] = [];
    for (let m = start; m < end; m += 60) h.push(m);
    return h;
  }, [start, end]);

  // After the commit (layout effect: before the browser paints), the
  // frame that shows the blocks; then a task, so the mark follows paint.
  useLayoutEffect(() => {
    performance.mark?.('rcp-cal-commit');
    requestAnimationFrame(() => setTimeout(() => performance.mark?.('rcp-cal-painted'), 0));
  }, [placed]);

  // A move picks a time and a person; the engine then finds the
  // resources, so blocks move only in the staff lanes.
  const canMove = can('bookings', 'write') && by === 'staff';
  // Handlers are delegated (one per grid, not per block) and read the
  // latest data through a ref, so the grid's vnode below can be memoised.
  const cur = useRef({ bookings, lanes, start });
  cur.current = { bookings, lanes, start };
  const handlers = useMemo(() => ({
    onClick(e: MouseEvent) {
      const el = (e.target as HTMLElement).closest<HTMLElement>('.blk');
      if (el?.dataset.booking) setOpenId(el.dataset.booking);
    },
    onDragStart(e: DragEvent) {
      const el = (e.target as HTMLElement).closest<HTMLElement>('.blk');
      if (!el?.dataset.booking) return;
      grab.current = { id: el.dataset.booking, offset: e.offsetY };
      e.dataTransfer?.setData('text/plain', el.dataset.booking);
    },
    onDragOver(e: DragEvent) { if ((e.target as HTMLElement).closest('.cal-day')) e.preventDefault(); },
    onDrop(e: DragEvent) {
      const col = (e.target as HTMLElement).closest<HTMLElement>('.cal-day');
      const g = grab.current;
      grab.current = null;
      if (!col || !g) return;
      e.preventDefault();
      const { bookings: bs, lanes: ls, start: st } = cur.current;
      const bk = bs.find((x) => x.id === g.id);
      if (!bk || !ls.length) return;
      const r = col.getBoundingClientRect();
      const y = e.clientY - r.top - g.offset;
      const mins = Math.max(0, Math.min(24 * 60 - SNAP, st + Math.round(y / PX / SNAP) * SNAP));
      const lane = Math.max(0, Math.min(ls.length - 1, Math.floor(((e.clientX - r.left) / r.width) * ls.length)));
      setDrop({ b: bk, start: dropStart(col.dataset.day!, mins), staff_id: ls[lane].id });
    },
  }), []);

  const grid = useMemo(() => (
    <div class={`cal cal-${view}`} style={{ '--lanes': lanes.length, '--days': days.length } as Record<string, number>}>
      <div class="cal-head">
        <div class="cal-corner" />
        {days.map((d, i) => (
          <div key={d} class="cal-dayhead">
            {view === 'week' && <strong>{names[i]}</strong>}
            {view === 'day' && (
              <div class="cal-lanes-head">
                {lanes.map((l) => <span key={l.id}>{l.name}</span>)}
              </div>
            )}
          </div>
        ))}
      </div>
      <div class="cal-body" style={{ height: `${(end - start) * PX}px` }} onClick={handlers.onClick}
        onDragStart={canMove ? handlers.onDragStart : undefined} onDragOver={canMove ? handlers.onDragOver : undefined}
        onDrop={canMove ? handlers.onDrop : undefined}>
        <div class="cal-times" aria-hidden="true">
          {hours.map((m) => <span key={m} style={{ top: `${(m - start) * PX}px` }}>{String(m / 60).padStart(2, '0')}:00</span>)}
        </div>
        {days.map((d, i) => (
          <DayBlocks key={d} day={d} name={names[i]} list={perDay[i]} start={start} lanes={lanes.length} view={view} canMove={canMove} />
        ))}
      </div>
    </div>
  ), [perDay, days, names, lanes, hours, start, end, view, canMove, handlers]);

  const openB = openId ? bookings.find((x) => x.id === openId) ?? null : null;
  if (lanes.length === 0) {
    return <p class="state empty">{by === 'resource' ? 'No resources yet. Add rooms or equipment in the Catalogue.'
      : 'No one is on the schedule yet. Add staff in the Catalogue.'}</p>;
  }
  return (
    <>
      {view === 'week' && (
        <ul class="cal-legend" aria-label={by === 'resource' ? 'Resource colours' : 'Staff colours'}>
          {lanes.map((l, i) => (
            <li key={l.id}><span class="sw" style={{ background: l.color || PALETTE[i % PALETTE.length] }} />{l.name}</li>
          ))}
        </ul>
      )}
      {count === 0 && <p class="state empty" role="status">No bookings {view === 'week' ? 'this week' : 'this day'}.</p>}
      {grid}
      {openB && <BookingDialog booking={openB} staff={staff} onClose={() => setOpenId(null)} reload={reload} />}
      {drop && (
        <MoveDialog booking={drop.b} open onClose={() => setDrop(null)} onDone={() => reload()} staff={staff}
          drop={{ start: drop.start, staff_id: drop.staff_id }} />
      )}
    </>
  );
}

function BookingDialog({ booking, staff, onClose, reload }: {
  booking: Booking; staff: Staff[]; onClose: () => void; reload: () => void;
}) {
  const [b, setB] = useState(booking);
  useEffect(() => setB(booking), [booking]);
  return (
    <Dialog title={`Booking ${b.reference}`} open onClose={onClose}>
      <p>
        <strong>{b.customer.name}</strong> <Badge kind={STATUS_KIND[b.status]}>{STATUS_WORDS[b.status]}</Badge>
        {b.needs_review && <Badge kind="warn">Needs review</Badge>}
        {b.confirmed_at ? <Badge kind="ok">✓ Confirmed by the customer</Badge>
          : upcoming(b) && <Badge>Not confirmed by the customer</Badge>}
      </p>
      <ul class="plain">
        {b.services.map((it, i) => (
          <li key={i}>{time(it.start)}–{time(it.end)} {it.name} with {it.staff_name}
            {(it.resources ?? []).length > 0 && <>, in {it.resources!.map((r) => r.name).join(', ')}</>}
            {it.addons.length > 0 && <small class="hint"> + {it.addons.map((a) => a.name).join(', ')}</small>}</li>
        ))}
      </ul>
      <p class="hint">{dateTime(b.start)}, times in {zoneLabel()}.</p>
      <BookingActions booking={b} staff={staff} onChanged={(nb) => { setB(nb); reload(); }} />
      <p><a href={`${shell.base}bookings/${b.id}`} onClick={onClose}>Open the booking</a></p>
    </Dialog>
  );
}
