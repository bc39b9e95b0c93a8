import type { OutputEvent } from '../../events/events.js';
import type { SourceRegistry } from '../../rules/sourceRegistry.js';
import { Outputs } from '../../rules/pinning.js';
import { CandidateBuckets } from '../../data/candidateBuckets.js';
import { Selection, type SelectionConfig } from '../../rules/selection.js';
import type { StampClock } from '../../rules/ties.js';
import { F64_PER_SLOT, LEVEL, STAMP, type SourceSlots } from '../../data/sourceSlots.js';
import type { RoomSource } from './roomSource.js';

/** What the shared view tells the room of its changes, besides its output events. */
export interface SharedViewHost<S, D> {
  /** `record` is about to be pinned: before anything changes for it (the room forks the views that do not hear it). */
  pinning(record: RoomSource<S, D>): void;
  /** `record` was selected or deselected: its stamp and the shared pins moved. */
  moved(record: RoomSource<S, D>): void;
}

/**
 * The room's shared view: exactly `AudioMixerCore`'s selection and outputs over the room's known sources, on the
 * same slots (the records of the room's {@link SourceRegistry}, {@link SourceSlots}) and the same rules
 * ({@link Selection}, {@link Outputs}). The room's own object per source ({@link RoomSource}) keeps only
 * what links it to the listeners' views; everything else of it (level, stamp, last activity, selection, output) is
 * read here.
 */
export class SharedView<S, D> {
  readonly selection: Selection;
  readonly outputs: Outputs<S, D>;
  /** The records of the room's sources, by slot: each one's level, stamp and output in the shared view. */
  readonly slots: SourceSlots;
  /** Its candidates, which delta views rank their implicit candidates from. */
  private readonly candidates: CandidateBuckets;

  constructor(
    config: SelectionConfig,
    private readonly sources: SourceRegistry<S, RoomSource<S, D>>,
    stamps: StampClock,
    host: SharedViewHost<S, D>,
    emit: (event: OutputEvent<S, D>) => void,
  ) {
    const slots = sources.slots;
    this.slots = slots;
    const outputs = new Outputs<S, D>(config.outputs, slots, (slot) => sources.idAt(slot), emit);
    this.outputs = outputs;
    this.candidates = new CandidateBuckets(slots);
    this.selection = new Selection(
      config.outputs,
      config.threshold,
      config.minHold ?? 0,
      slots,
      {
        selected: (slot) => {
          host.moved(sources.recordAt(slot));
          outputs.pin(slot);
        },
        deselected: (slot) => {
          host.moved(sources.recordAt(slot));
          outputs.unpin(slot);
        },
        pinning: (slot) => {
          host.pinning(sources.recordAt(slot));
        },
      },
      stamps,
      this.candidates,
    );
  }

  /** Whether `record`'s source is known to the room (its slot is its own): forgotten ones are read nowhere else. */
  isKnown(record: RoomSource<S, D>): boolean {
    return this.sources.isKnown(record);
  }

  /** When `record`'s source, which is known, was last active, in ms. */
  lastActive(record: RoomSource<S, D>): number {
    return this.sources.lastActive(record.slot);
  }

  /** Gives the entry at `slot` of a view's `slots` the level and stamp `record` has in the shared view. */
  copyRank(record: RoomSource<S, D>, slots: SourceSlots, slot: number): void {
    const f64 = slots.f64;
    f64[F64_PER_SLOT * slot + LEVEL] = this.slots.level(record.slot);
    f64[F64_PER_SLOT * slot + STAMP] = this.slots.stamp(record.slot);
  }

  /** Whether the entry at `slot` of a view's `slots` has the level and stamp `record` has in the shared view. */
  ranksAlike(record: RoomSource<S, D>, slots: SourceSlots, slot: number): boolean {
    return slots.stamp(slot) === this.slots.stamp(record.slot) && slots.level(slot) === this.slots.level(record.slot);
  }

  /** When `record`, which is selected in the shared view, was selected there, in ms (the minimum hold). */
  selectedAt(record: RoomSource<S, D>): number {
    return this.selection.selectedAt(record.slot);
  }

  /** Whether `record` is selected in the shared view. */
  isSelected(record: RoomSource<S, D>): boolean {
    return this.selection.isSelected(record.slot);
  }

  /** The record pinned to `output`, or `null`. */
  at(output: number): RoomSource<S, D> | null {
    const slot = this.outputs.at(output);
    return slot < 0 ? null : this.sources.recordAt(slot);
  }

  /** The slot of the loudest candidate `accept` takes, the most recently touched among equals (rule 8), or -1. */
  loudestWhere(accept: (slot: number) => boolean): number {
    return this.candidates.loudestWhere(accept);
  }

  /** The record of `slot`, a known source's. */
  recordAt(slot: number): RoomSource<S, D> {
    return this.sources.recordAt(slot);
  }
}
