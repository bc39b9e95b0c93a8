import type { OutputEvent } from '../../events/events.js';
import { releaseAll } from '../../rules/end.js';
import type { KnownSources } from '../../rules/joining.js';
import { Outputs } from '../../rules/pinning.js';
import { CandidateBuckets } from '../../data/candidateBuckets.js';
import { Selection, type SelectionConfig } from '../../rules/selection.js';
import type { StampClock } from '../../rules/ties.js';
import { F64_PER_SLOT, HEAP, I32_PER_SLOT, LEVEL, OUTPUT, STAMP, type SourceSlots } from '../../data/sourceSlots.js';
import type { RoomSource } from './listenerView.js';

/** What the shared view tells the room of its changes, besides its output events. */
export interface SharedViewHost<S, D> {
  /** `record` is about to be pinned: before anything changes for it (the room forks the views that do not hear it). */
  pinning(record: RoomSource<S, D>): void;
  /** `record` was selected or deselected: its stamp and the shared pins moved. */
  moved(record: RoomSource<S, D>): void;
}

/**
 * The room's shared view: exactly `AudioMixerCore`'s selection and outputs over the room's known sources, on the
 * same slots (the records of the room's `KnownSources`, {@link SourceSlots}) and the same rules
 * ({@link Selection}, {@link Outputs}). The room's own object per source ({@link RoomSource}) keeps only
 * what links it to the listeners' views; its level, stamp, selection and output are read here.
 */
export class SharedView<S, D> {
  readonly selection: Selection;
  readonly outputs: Outputs<S, D>;
  private readonly slots: SourceSlots;
  /** Its candidates, which delta views rank their implicit candidates from. */
  private readonly candidates: CandidateBuckets;

  constructor(
    config: SelectionConfig,
    private readonly known: KnownSources<S, RoomSource<S, D>>,
    stamps: StampClock,
    host: SharedViewHost<S, D>,
    emit: (event: OutputEvent<S, D>) => void,
  ) {
    const slots = known.slots.slots;
    this.slots = slots;
    const outputs = new Outputs<S, D>(config.outputs, slots, (slot) => known.slots.idAt(slot), emit);
    this.outputs = outputs;
    this.candidates = new CandidateBuckets(slots);
    this.selection = new Selection(
      config.outputs,
      config.threshold,
      config.minHold ?? 0,
      slots,
      {
        selected: (slot) => {
          host.moved(known.recordAt(slot));
          outputs.pin(slot);
        },
        deselected: (slot) => {
          host.moved(known.recordAt(slot));
          outputs.unpin(slot);
        },
        pinning: (slot) => {
          host.pinning(known.recordAt(slot));
        },
      },
      stamps,
      this.candidates,
    );
  }

  /** `record`'s level in the shared view. */
  level(record: RoomSource<S, D>): number {
    return this.slots.f64[F64_PER_SLOT * record.slot + LEVEL]!;
  }

  /** `record`'s stamp in the shared view (rule 8). */
  stamp(record: RoomSource<S, D>): number {
    return this.slots.f64[F64_PER_SLOT * record.slot + STAMP]!;
  }

  /** When `record`, which is selected in the shared view, was selected there, in ms (the minimum hold). */
  selectedAt(record: RoomSource<S, D>): number {
    return this.selection.selectedAt(record.slot);
  }

  /** Whether `record` is selected in the shared view. */
  isSelected(record: RoomSource<S, D>): boolean {
    return this.slots.i32[I32_PER_SLOT * record.slot + HEAP]! >= 0;
  }

  /** The output `record` is pinned to in the shared view, or -1. */
  outputOf(record: RoomSource<S, D>): number {
    return this.slots.i32[I32_PER_SLOT * record.slot + OUTPUT]!;
  }

  /** The record pinned to `output`, or `null`. */
  at(output: number): RoomSource<S, D> | null {
    const slot = this.outputs.at(output);
    return slot < 0 ? null : this.known.recordAt(slot);
  }

  /** The slot of the loudest candidate `accept` takes, the most recently touched among equals (rule 8), or -1. */
  loudestWhere(accept: (slot: number) => boolean): number {
    return this.candidates.loudestWhere(accept);
  }

  /** The record of `slot`, a known source's. */
  recordAt(slot: number): RoomSource<S, D> {
    return this.known.recordAt(slot);
  }

  /** The level of the source at `slot`. */
  levelAt(slot: number): number {
    return this.slots.f64[F64_PER_SLOT * slot + LEVEL]!;
  }

  /** The stamp of the source at `slot` (rule 8). */
  stampAt(slot: number): number {
    return this.slots.f64[F64_PER_SLOT * slot + STAMP]!;
  }

  /** Unpins every output, in ascending order (rule 7). */
  releaseAll(): void {
    releaseAll(this.outputs);
  }
}
