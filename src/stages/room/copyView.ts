import type { DeltaEntry } from './deltaView.js';
import type { OutputEvent } from '../../events/events.js';
import { ActivityList } from '../../data/activityList.js';
import { Outputs } from '../../rules/pinning.js';
import { SlotPool } from '../../data/slotPool.js';
import { Selection, type SelectionConfig } from '../../rules/selection.js';
import type { StampClock } from '../../rules/ties.js';
import type { SharedView } from './sharedView.js';

/**
 * A source as the room knows it: its slot in the shared view ({@link SharedView} keeps its level, stamp, selection
 * and output there), when it was last active, and its entries in the listeners' own views.
 */
export class RoomSource<S, D> {
  /** Its slot in the room's `KnownSources`, and so in the shared view. */
  slot = -1;
  /** Its entries in diverged listener views, or `null` when no such view knows it. */
  views: ViewEntry<S, D>[] | null = null;
  /** Views that hear it but do not know it yet: they learn it at its next event. */
  awaiting: ListenerView<S, D>[] | null = null;
  /** Its entries in delta views (`DeltaView`), or `null` when it differs from the shared view in none. */
  deltas: DeltaEntry<S, D>[] | null = null;

  constructor(readonly source: S) {}
}

/** A source in one listener's own view: its slot there, which keeps what the view knows of it, and its source. */
export class ViewEntry<S, D> {
  /** Whether it is still in its view. */
  live = true;
  /** Whether its level, stamp and last activity are those of the shared view's record. */
  synced = false;

  constructor(
    readonly source: S,
    /** The room's record of its source; a newer one once the room forgot the source and met it again. */
    public record: RoomSource<S, D>,
    readonly view: ListenerView<S, D>,
    /** Its slot in its view. */
    readonly slot: number,
  ) {}
}

/** What a view needs of the room it belongs to. */
export interface ViewHost<S, D> {
  /** The shared view, which a view is a copy of. */
  readonly shared: SharedView<S, D>;
  /** `record` has no view entries left. */
  detached(record: RoomSource<S, D>): void;
  /** `record`'s entry in a view was selected or deselected: its stamp moved. */
  touched(record: RoomSource<S, D>, pinsMoved: boolean): void;
}

/** The options of a listener view, already checked. */
export interface ListenerViewConfig extends SelectionConfig {
  /** Silence after which a source leaves the view, in ms. */
  readonly timeout: number;
}

/**
 * One listener's own view of a room: exactly `AudioMixerCore` fed with the room's events of the sources the listener
 * hears, with the same rules on slots of its own ({@link SlotPool}: {@link ActivityList}, {@link Selection},
 * {@link Outputs}), except that it finds a source's entry through the room's record instead of an id table of
 * its own. A listener has one once its view differs from the room's shared view; until then it receives the shared
 * view's events.
 */
export class ListenerView<S, D> {
  readonly selection: Selection;
  readonly outputs: Outputs<S, D>;
  /** Its entries' slots. */
  private readonly pool = new SlotPool<ViewEntry<S, D>>();
  private readonly activity: ActivityList;
  /** Sources this view hears but does not know yet. */
  readonly awaiting = new Set<RoomSource<S, D>>();
  /** While set, nothing is emitted (a view being built for a listener that has not seen its pins yet). */
  silent = false;
  /** How many sources it knows. */
  count = 0;
  /** How many of them differ from the shared view's record (level, stamp or last activity). */
  unsynced = 0;

  constructor(
    private readonly config: ListenerViewConfig,
    private readonly host: ViewHost<S, D>,
    emit: (event: OutputEvent<S, D>) => void,
    stamps: StampClock,
  ) {
    const pool = this.pool;
    this.activity = new ActivityList(pool.slots);
    const outputs = new Outputs<S, D>(
      config.outputs,
      pool.slots,
      (slot) => pool.at(slot).source,
      (event) => {
        if (!this.silent) emit(event);
      },
    );
    this.outputs = outputs;
    this.selection = new Selection(
      config.outputs,
      config.threshold,
      config.minHold ?? 0,
      pool.slots,
      {
        selected: (slot) => {
          host.touched(pool.at(slot).record, true);
          outputs.pin(slot);
        },
        deselected: (slot) => {
          host.touched(pool.at(slot).record, true);
          outputs.unpin(slot);
        },
      },
      stamps,
    );
  }

  /** The entry of `record` in this view, if any. */
  entryOf(record: RoomSource<S, D>): ViewEntry<S, D> | undefined {
    const views = record.views;
    if (views === null) return undefined;
    for (const entry of views) if (entry.view === this) return entry;
    return undefined;
  }

  /** Its entries, oldest activity first. */
  *entries(): IterableIterator<ViewEntry<S, D>> {
    for (let slot = this.activity.oldest; slot >= 0; slot = this.activity.newer(slot)) yield this.pool.at(slot);
  }

  /** Whether `entry` is selected here. */
  isSelected(entry: ViewEntry<S, D>): boolean {
    return this.selection.isSelected(entry.slot);
  }

  /** The output `entry` is pinned to here, or -1. */
  outputOf(entry: ViewEntry<S, D>): number {
    return this.pool.slots.output(entry.slot);
  }

  /** The room's record of the source pinned to `output` here, or `null`. */
  recordAt(output: number): RoomSource<S, D> | null {
    const slot = this.outputs.at(output);
    return slot < 0 ? null : this.pool.at(slot).record;
  }

  /** A source joins the view at `now` (rule 1). */
  add(record: RoomSource<S, D>, now: number): ViewEntry<S, D> {
    const entry = this.attach(record, now);
    this.selection.add(entry.slot);
    return entry;
  }

  /** Takes over `record`'s state in the shared view as it is (for a copy of that view); selection is left to the caller. */
  adopt(record: RoomSource<S, D>): ViewEntry<S, D> {
    const shared = this.host.shared;
    const entry = this.attach(record, shared.lastActive(record));
    shared.copyRank(record, this.pool.slots, entry.slot);
    this.sync(entry);
    return entry;
  }

  /** Puts back `entry`, just adopted, as selected on `output` since `since`, telling no one (for a copy). */
  copySelected(entry: ViewEntry<S, D>, output: number, since: number): void {
    this.selection.restoreSelected(entry.slot, since);
    this.outputs.restore(entry.slot, output);
    this.sync(entry);
  }

  /** Puts back `entries`, just adopted, as candidates, telling no one (for a copy). */
  copyCandidates(entries: ViewEntry<S, D>[]): void {
    const slots = this.pool.slots;
    entries.sort((a, b) => slots.stamp(a.slot) - slots.stamp(b.slot));
    for (const entry of entries) this.selection.restoreCandidate(entry.slot);
  }

  /** A packet of a source in the view (rule 2). */
  packet(entry: ViewEntry<S, D>, level: number, data: D, now: number): void {
    this.activity.touch(entry.slot, now);
    if (this.selection.packet(entry.slot, level)) this.outputs.forward(entry.slot, level, data);
  }

  /** A source leaves the view (rule 3, then rule 4). */
  remove(entry: ViewEntry<S, D>): void {
    this.activity.remove(entry.slot);
    this.detach(entry);
    this.selection.remove(entry.slot);
    this.pool.give(entry.slot); // only now: the unpin names the source by its slot
  }

  /**
   * Removes the sources silent for `timeout` ms at `now`, oldest first (rule 5). One the room still knows (it heard
   * from it later than this view, or it joined this view later) is awaited: this view learns it again at its next
   * event, as `AudioMixerCore` fed that event would.
   */
  expireAt(now: number): void {
    const timeout = this.config.timeout;
    for (let due = this.activity.due(now, timeout); due >= 0; due = this.activity.due(now, timeout)) {
      const entry = this.pool.at(due);
      this.remove(entry);
      if (this.host.shared.isKnown(entry.record)) this.await(entry.record);
    }
  }

  /** This view hears `record`'s source but does not know it: it learns it at its next event. */
  await(record: RoomSource<S, D>): void {
    if (this.awaiting.has(record)) return;
    this.awaiting.add(record);
    (record.awaiting ??= []).push(this);
  }

  deadline(): number | undefined {
    return this.activity.deadline(this.config.timeout);
  }

  /** Gives every free output to the loudest candidates (rule 4), as a refill right after a copy needs. */
  fill(): void {
    this.selection.fill();
  }

  /**
   * Notes whether `entry` is again the same as the shared view's record (level, stamp, last activity, and when it
   * was selected, if it is); true when the whole view just became so.
   */
  sync(entry: ViewEntry<S, D>): boolean {
    const record = entry.record;
    const shared = this.host.shared;
    const slot = entry.slot;
    const same =
      shared.isKnown(record) &&
      shared.ranksAlike(record, this.pool.slots, slot) &&
      this.activity.lastActive(slot) === shared.lastActive(record) &&
      (!this.selection.isSelected(slot) ||
        (shared.isSelected(record) && this.selection.selectedAt(slot) === shared.selectedAt(record)));
    if (same === entry.synced) return false;
    entry.synced = same;
    this.unsynced += same ? -1 : 1;
    return this.unsynced === 0;
  }

  /** Forgets every entry and every wait, telling the room. */
  drop(): void {
    for (const entry of this.entries()) this.detach(entry);
    this.activity.clear();
    this.selection.clear();
    this.pool.clear();
    for (const record of this.awaiting) {
      record.awaiting = without(record.awaiting, this);
    }
    this.awaiting.clear();
  }

  private attach(record: RoomSource<S, D>, now: number): ViewEntry<S, D> {
    const entry = this.pool.at(this.pool.take((slot) => new ViewEntry<S, D>(record.source, record, this, slot)));
    this.count += 1;
    this.unsynced += 1;
    this.activity.append(entry.slot, now);
    if (record.views === null)
      record.views = [entry]; // an array of one, not one grown for seventeen
    else record.views.push(entry);
    return entry;
  }

  private detach(entry: ViewEntry<S, D>): void {
    entry.live = false;
    this.count -= 1;
    if (!entry.synced) this.unsynced -= 1;
    const record = entry.record;
    record.views = without(record.views, entry);
    if (record.views === null) this.host.detached(record);
  }
}

/** `list` without `item`, or `null` when nothing is left. */
export function without<T>(list: T[] | null, item: T): T[] | null {
  if (list === null) return null;
  const index = list.indexOf(item);
  if (index >= 0) list.splice(index, 1);
  return list.length === 0 ? null : list;
}
