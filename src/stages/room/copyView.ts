import { ActivityList } from '../../data/activityList.js';
import { Outputs } from '../../rules/pinning.js';
import { SlotPool } from '../../data/slotPool.js';
import { Selection, type SelectionConfig } from '../../rules/selection.js';
import type { StampClock } from '../../rules/ties.js';
import type { SharedView } from './sharedView.js';
import type { ListenerView, RoomListener } from './listener.js';
import { type RoomSource, without } from './roomSource.js';

/** A source in one copy view: its slot there, which keeps what the view knows of it, and its source. */
export class CopyEntry<S, D> {
  /** Whether it is still in its view. */
  live = true;
  /** Whether its level, stamp and last activity are those of the shared view's record. */
  synced = false;

  constructor(
    readonly source: S,
    /** The room's record of its source; a newer one once the room forgot the source and met it again. */
    public record: RoomSource<S, D>,
    readonly view: CopyView<S, D>,
    /** Its slot in its view. */
    readonly slot: number,
  ) {}
}

/** What a copy view needs of the room it belongs to. */
export interface CopyHost<S, D> {
  /** The shared view, which a view is a copy of. */
  readonly shared: SharedView<S, D>;
  /** `record` has no copy entries left. */
  unlinked(record: RoomSource<S, D>): void;
  /** `record`'s entry in a view was selected or deselected: its stamp moved. */
  touched(record: RoomSource<S, D>, pinsMoved: boolean): void;
}

/** The options of a copy view, already checked. */
export interface CopyViewConfig extends SelectionConfig {
  /** Silence after which a source leaves the view, in ms. */
  readonly timeout: number;
}

/**
 * The view of a listener that follows a set of sources, once it differs from the shared view: exactly
 * `AudioMixerCore` fed with the room's events of the sources the listener hears, with the same rules on slots of its
 * own ({@link SlotPool}: {@link ActivityList}, {@link Selection}, {@link Outputs}), except that it finds a source's
 * entry through the room's record instead of an id table of its own. Made as a copy of what the listener hears of
 * the shared view (O(sources it hears)), then fed the events it hears; it times its sources out itself.
 */
export class CopyView<S, D> implements ListenerView<S, D> {
  readonly kind = 'copy';
  readonly selection: Selection;
  readonly outputs: Outputs<S, D>;
  /** Its entries' slots. */
  private readonly pool = new SlotPool<CopyEntry<S, D>>();
  private readonly activity: ActivityList;
  /** Sources this view hears but does not know yet. */
  readonly awaiting = new Set<RoomSource<S, D>>();
  silent = false;
  entries = 0;
  /** How many of them differ from the shared view's record (level, stamp or last activity). */
  unsynced = 0;

  constructor(
    private readonly config: CopyViewConfig,
    private readonly host: CopyHost<S, D>,
    readonly listener: RoomListener<S, D>,
    stamps: StampClock,
  ) {
    const pool = this.pool;
    this.activity = new ActivityList(pool.slots);
    const outputs = new Outputs<S, D>(
      config.outputs,
      pool.slots,
      (slot) => pool.at(slot).source,
      (event) => {
        if (!this.silent && listener.active) listener.emit(event);
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
  entryOf(record: RoomSource<S, D>): CopyEntry<S, D> | undefined {
    const copies = record.copies;
    if (copies === null) return undefined;
    for (const entry of copies) if (entry.view === this) return entry;
    return undefined;
  }

  /** Its entries, oldest activity first. */
  *byActivity(): IterableIterator<CopyEntry<S, D>> {
    for (let slot = this.activity.oldest; slot >= 0; slot = this.activity.newer(slot)) yield this.pool.at(slot);
  }

  /** Whether `entry` is selected here. */
  isSelected(entry: CopyEntry<S, D>): boolean {
    return this.selection.isSelected(entry.slot);
  }

  /** The output `entry` is pinned to here, or -1. */
  outputOf(entry: CopyEntry<S, D>): number {
    return this.pool.slots.output(entry.slot);
  }

  /** The room's record of the source pinned to `output` here, or `null`. */
  recordAt(output: number): RoomSource<S, D> | null {
    const slot = this.outputs.at(output);
    return slot < 0 ? null : this.pool.at(slot).record;
  }

  /** A source joins the view at `now` (rule 1). */
  add(record: RoomSource<S, D>, now: number): CopyEntry<S, D> {
    const entry = this.attach(record, now);
    this.selection.add(entry.slot);
    return entry;
  }

  /** Takes over `record`'s state in the shared view as it is (for a copy of that view); selection is left to the caller. */
  adopt(record: RoomSource<S, D>): CopyEntry<S, D> {
    const shared = this.host.shared;
    const entry = this.attach(record, shared.lastActive(record));
    shared.copyRank(record, this.pool.slots, entry.slot);
    this.sync(entry);
    return entry;
  }

  /** Puts back `entry`, just adopted, as selected on `output` since `since`, telling no one (for a copy). */
  copySelected(entry: CopyEntry<S, D>, output: number, since: number): void {
    this.selection.restoreSelected(entry.slot, since);
    this.outputs.restore(entry.slot, output);
    this.sync(entry);
  }

  /** Puts back `entries`, just adopted, as candidates, telling no one (for a copy). */
  copyCandidates(entries: CopyEntry<S, D>[]): void {
    const slots = this.pool.slots;
    entries.sort((a, b) => slots.stamp(a.slot) - slots.stamp(b.slot));
    for (const entry of entries) this.selection.restoreCandidate(entry.slot);
  }

  /** A packet of a source in the view (rule 2). */
  packet(entry: CopyEntry<S, D>, level: number, data: D, now: number): void {
    this.activity.touch(entry.slot, now);
    if (this.selection.packet(entry.slot, level)) this.outputs.forward(entry.slot, level, data);
  }

  /** A source leaves the view (rule 3, then rule 4). */
  remove(entry: CopyEntry<S, D>): void {
    this.activity.remove(entry.slot);
    this.unlink(entry);
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

  removeSource(record: RoomSource<S, D>): void {
    const entry = this.entryOf(record);
    if (entry !== undefined) this.remove(entry);
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
  sync(entry: CopyEntry<S, D>): boolean {
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
    for (const entry of this.byActivity()) this.unlink(entry);
    this.activity.clear();
    this.selection.clear();
    this.pool.clear();
    for (const record of this.awaiting) {
      record.awaiting = without(record.awaiting, this);
    }
    this.awaiting.clear();
  }

  private attach(record: RoomSource<S, D>, now: number): CopyEntry<S, D> {
    const entry = this.pool.at(this.pool.take((slot) => new CopyEntry<S, D>(record.source, record, this, slot)));
    this.entries += 1;
    this.unsynced += 1;
    this.activity.append(entry.slot, now);
    if (record.copies === null)
      record.copies = [entry]; // an array of one, not one grown for seventeen
    else record.copies.push(entry);
    return entry;
  }

  /** Takes `entry` out of its record's entries (telling the room when none is left); its slot is the caller's. */
  private unlink(entry: CopyEntry<S, D>): void {
    entry.live = false;
    this.entries -= 1;
    if (!entry.synced) this.unsynced -= 1;
    const record = entry.record;
    record.copies = without(record.copies, entry);
    if (record.copies === null) this.host.unlinked(record);
  }
}

/** Whether `view` is a copy view. */
export function isCopyView<S, D>(view: ListenerView<S, D> | null): view is CopyView<S, D> {
  return view !== null && view.kind === 'copy';
}
