import { Outputs } from '../../rules/pinning.js';
import { CandidateBuckets, type CandidateRanking } from '../../data/candidateBuckets.js';
import { SlotPool } from '../../data/slotPool.js';
import { Selection, type SelectionConfig } from '../../rules/selection.js';
import type { StampClock } from '../../rules/ties.js';
import { isQuieter } from '../../data/quietestHeap.js';
import type { SourceSlots } from '../../data/sourceSlots.js';
import type { SharedView } from './sharedView.js';
import type { ListenerView, RoomListener } from './listener.js';
import type { RoomSource } from './roomSource.js';

/**
 * A source in a {@link DeltaView}, while it differs from the shared view: its slot in the view, which keeps its
 * level, stamp, selection and output, and the room's record of its source.
 */
export class DeltaEntry<S, D> {
  constructor(
    readonly source: S,
    readonly record: RoomSource<S, D>,
    readonly view: DeltaView<S, D>,
    readonly slot: number,
  ) {}
}

/** What a delta view needs of the room it belongs to. */
export interface DeltaHost<S, D> {
  /** The shared view: its selections, and its candidates ranked. */
  readonly shared: SharedView<S, D>;
  /** `entry`'s view moved: its pins, or the level its quietest selection can be taken over at. */
  moved(view: DeltaView<S, D>): void;
}

/**
 * The view of a listener that excludes sources and follows none, once it differs from the shared view: kept as
 * the difference from the shared view only.
 *
 * Such a listener hears every event of every source it hears, at the same time as the shared view: each heard
 * source has the same level and the same last activity in both, joins, leaves and times out at the same instant
 * (so the view needs no activity list of its own: the room times sources out for it, in the shared order), and is
 * touched by each packet first thing in the event, so its stamp is the same too (the room moves the stamp base
 * between the timeouts and the event itself). Only selections make the two differ. So the view keeps an entry
 * only for a source that it selected, that the shared view selected, or whose stamp differs (a deselection since its
 * last packet); every other source it hears is *implicit*: a candidate with the shared view's level and stamp, found
 * in the shared view's candidate buckets. A refill takes the louder of its own candidates and the loudest shared
 * candidate it hears that it has no entry for; a packet of an implicit source is looked at only when its level
 * reaches {@link DeltaView.takeoverLevel}, and then the source is given an entry and the packet is handled as
 * `AudioMixerCore` would.
 *
 * Costs: a copy of the shared view is O(outputs); a packet of an implicit source below every view's takeover level
 * costs the room one comparison; memory is one entry per source that differs: a slot of 64 bytes in its own
 * {@link SlotPool} and a small object the room finds it by.
 *
 * Its rules are `AudioMixerCore`'s, on its own slots: {@link Selection} and {@link Outputs}, its candidates
 * ranked by {@link DeltaCandidates}.
 */
export class DeltaView<S, D> implements ListenerView<S, D> {
  readonly kind = 'delta';
  readonly selection: Selection;
  readonly outputs: Outputs<S, D>;
  /** Its entries' slots. */
  private readonly pool = new SlotPool<DeltaEntry<S, D>>();
  /** Its own candidates: entries that are not selected here. */
  private readonly own: CandidateBuckets;
  entries = 0;
  /** Where the room's index of takeover levels keeps it: bucket, and position in it. */
  barBucket = -1;
  barSlot = -1;
  /** The room's mark of the views that have an entry for the source of the packet in hand. */
  mark = 0;
  /** Whether it may have become the shared view again during the current event. */
  dirty = false;
  /** Cleared when its listener leaves or is aligned again. */
  live = true;
  silent = false;

  constructor(
    config: SelectionConfig,
    private readonly host: DeltaHost<S, D>,
    readonly listener: RoomListener<S, D>,
    stamps: StampClock,
  ) {
    const pool = this.pool;
    const outputs = new Outputs<S, D>(
      config.outputs,
      pool.slots,
      (slot) => pool.at(slot).source,
      (event) => {
        if (listener.active && !this.silent) listener.emit(event);
      },
    );
    this.outputs = outputs;
    const candidates = new DeltaCandidates<S, D>(this, host.shared, pool.slots);
    this.own = candidates.own;
    this.selection = new Selection(
      config.outputs,
      config.threshold,
      config.minHold ?? 0,
      pool.slots,
      {
        selected: (slot) => {
          outputs.pin(slot);
        },
        deselected: (slot) => {
          outputs.unpin(slot);
        },
      },
      stamps,
      candidates,
    );
  }

  /** Whether its listener hears `source`. */
  hears(source: S): boolean {
    return this.listener.hears(source);
  }

  /** The level at or above which a candidate's packet may take over one of its selections. */
  takeoverLevel(): number {
    return this.selection.takeoverLevel();
  }

  /** Its entry for `record`, if any. */
  entryOf(record: RoomSource<S, D>): DeltaEntry<S, D> | undefined {
    const deltas = record.deltas;
    if (deltas === null) return undefined;
    for (const entry of deltas) if (entry.view === this) return entry;
    return undefined;
  }

  /** Gives `record` an entry with the shared view's state, neither selected nor ranked yet. */
  materialise(record: RoomSource<S, D>): DeltaEntry<S, D> {
    const entry = this.pool.at(this.pool.take((slot) => new DeltaEntry<S, D>(record.source, record, this, slot)));
    this.host.shared.copyRank(record, this.pool.slots, entry.slot);
    if (record.deltas === null)
      record.deltas = [entry]; // an array of one, not one grown for seventeen
    else record.deltas.push(entry);
    this.entries += 1;
    return entry;
  }

  /** Gives `record`, an implicit candidate here, an entry among its own candidates. */
  candidate(record: RoomSource<S, D>): DeltaEntry<S, D> {
    const entry = this.materialise(record);
    this.own.insert(entry.slot);
    return entry;
  }

  /** Copies the shared view's selection of `record`, which is pinned there (for a copy of the shared view). */
  copySelected(record: RoomSource<S, D>): void {
    const entry = this.materialise(record);
    const shared = this.host.shared;
    this.selection.restoreSelected(entry.slot, shared.selectedAt(record));
    this.outputs.restore(entry.slot, shared.slots.output(record.slot));
  }

  /** A packet of a source it has an entry for (rule 2, rule 6). */
  packet(entry: DeltaEntry<S, D>, level: number, data: D): void {
    if (this.selection.packet(entry.slot, level)) this.outputs.forward(entry.slot, level, data);
    this.host.moved(this);
  }

  /** A source joins while a selection is free here (rule 1). */
  add(record: RoomSource<S, D>): void {
    let entry = this.entryOf(record);
    if (entry === undefined) entry = this.materialise(record);
    else this.own.remove(entry.slot);
    this.selection.add(entry.slot);
    this.host.moved(this);
  }

  /** A source it has an entry for leaves (rule 3, then rule 4). */
  remove(entry: DeltaEntry<S, D>): void {
    this.unlink(entry);
    this.selection.remove(entry.slot);
    this.pool.give(entry.slot); // only now: the refill may give a new entry a slot
    this.host.moved(this);
  }

  removeSource(record: RoomSource<S, D>): void {
    const entry = this.entryOf(record);
    if (entry !== undefined) this.remove(entry);
  }

  /** Nothing: the room times out the sources of a delta view, in the shared view's order. */
  expireAt(_now: number): void {
    // The room's timeouts are this view's.
  }

  /** Gives every free output to the loudest candidates (rule 4). */
  fill(): void {
    this.selection.fill();
    this.host.moved(this);
  }

  /**
   * Drops `entry` if it no longer differs from the shared view: a candidate here and there, with the same level
   * and stamp. Its source is implicit here again.
   */
  dropIfAlike(entry: DeltaEntry<S, D>): void {
    const record = entry.record;
    const shared = this.host.shared;
    if (this.selection.isSelected(entry.slot) || shared.isSelected(record)) return;
    if (!shared.ranksAlike(record, this.pool.slots, entry.slot)) return;
    this.own.remove(entry.slot);
    this.unlink(entry);
    this.pool.give(entry.slot);
  }

  /**
   * Whether it has become the shared view minus the candidates it does not hear: the same sources on the same
   * outputs, with the same level and stamp (and time of selection, when selections are held), and no other entry.
   */
  isShared(shared: SharedView<S, D>, held: boolean): boolean {
    let pinned = 0;
    for (let output = 0; output < this.outputs.count; output++) {
      const slot = this.outputs.at(output);
      const record = shared.at(output);
      if (slot < 0) {
        if (record !== null) return false;
        continue;
      }
      if (this.pool.at(slot).record !== record || !shared.ranksAlike(record, this.pool.slots, slot)) return false;
      if (held && this.selection.selectedAt(slot) !== shared.selectedAt(record)) return false;
      pinned += 1;
    }
    return pinned === this.entries;
  }

  /** Forgets every entry. */
  drop(): void {
    for (let output = 0; output < this.outputs.count; output++) {
      const slot = this.outputs.at(output);
      if (slot >= 0) this.unlink(this.pool.at(slot));
    }
    for (let slot = this.own.loudest(); slot >= 0; slot = this.own.loudest()) {
      this.own.remove(slot);
      this.unlink(this.pool.at(slot));
    }
    this.selection.clear();
    this.pool.clear();
  }

  /** Takes `entry` out of its record's entries; its slot is the caller's to give back. */
  private unlink(entry: DeltaEntry<S, D>): void {
    this.entries -= 1;
    const record = entry.record;
    const deltas = record.deltas;
    if (deltas === null) return;
    const index = deltas.indexOf(entry);
    if (index >= 0) deltas.splice(index, 1);
    if (deltas.length === 0) record.deltas = null;
  }
}

/**
 * A delta view's candidates as its selection ranks them: its own entries, and the shared view's candidates that it
 * hears and has no entry for (the implicit ones, which have the shared view's level and stamp).
 */
class DeltaCandidates<S, D> implements CandidateRanking {
  /** Its own candidates: the view's entries that are not selected. */
  readonly own: CandidateBuckets;

  constructor(
    private readonly view: DeltaView<S, D>,
    private readonly shared: SharedView<S, D>,
    /** The view's slots, where its own candidates' levels and stamps are. */
    private readonly slots: SourceSlots,
  ) {
    this.own = new CandidateBuckets(slots);
  }

  add(slot: number): void {
    this.own.add(slot);
  }

  remove(slot: number): void {
    this.own.remove(slot);
  }

  /** The louder of its own loudest and the loudest implicit one, which is given an entry then. */
  loudest(): number {
    const mine = this.own.loudest();
    const shared = this.shared;
    const theirs = shared.loudestWhere(this.implicit);
    if (theirs < 0) return mine;
    const { slots } = this;
    const ranked = shared.slots;
    if (mine >= 0 && isQuieter(ranked.level(theirs), ranked.stamp(theirs), slots.level(mine), slots.stamp(mine))) {
      return mine;
    }
    return this.view.candidate(shared.recordAt(theirs)).slot;
  }

  clear(): void {
    this.own.clear();
  }

  /** Whether the shared candidate at `slot` is implicit here: heard, and without an entry. */
  private readonly implicit = (slot: number): boolean => {
    const record = this.shared.recordAt(slot);
    return this.view.hears(record.source) && this.view.entryOf(record) === undefined;
  };
}

/** Whether `view` is a delta view. */
export function isDeltaView<S, D>(view: ListenerView<S, D> | null): view is DeltaView<S, D> {
  return view !== null && view.kind === 'delta';
}
