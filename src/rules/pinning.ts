import type { OutputEvent } from '../events/events.js';
import { FreeOutputs } from '../data/freeOutputs.js';
import { I32_PER_SLOT, OUTPUT, type SourceSlots } from '../data/sourceSlots.js';

/**
 * The output tracks: pins a source to the lowest-numbered free output, unpins, forwards packets, and releases all
 * in ascending order at the end. The output of each source is in its slot's record ({@link SourceSlots}); the
 * events name the source `idAt` gives. Shared by every stage that pins: `AudioMixerCore`, `OutputPinner` and the
 * room's views.
 */
export class Outputs<S, D> {
  /** The slot pinned to each output that was ever used, -1 for none; it grows with the outputs used, not `count`. */
  private pinned = new Int32Array(0);
  private readonly free: FreeOutputs;

  constructor(
    readonly count: number,
    private readonly slots: SourceSlots,
    private readonly idAt: (slot: number) => S,
    private readonly emit: (event: OutputEvent<S, D>) => void,
  ) {
    this.free = new FreeOutputs(count);
  }

  /** Pins `slot` to the lowest free output (one is free whenever a selection is). */
  pin(slot: number): void {
    const output = this.free.take();
    this.slots.i32[I32_PER_SLOT * slot + OUTPUT] = output;
    this.reach(output);
    this.pinned[output] = slot;
    this.emit({ type: 'output-pin', output, source: this.idAt(slot) });
  }

  unpin(slot: number): void {
    const output = this.slots.i32[I32_PER_SLOT * slot + OUTPUT]!;
    this.slots.i32[I32_PER_SLOT * slot + OUTPUT] = -1;
    this.pinned[output] = -1;
    this.free.give(output);
    this.emit({ type: 'output-unpin', output, source: this.idAt(slot) });
  }

  /** The slot pinned to `output`, or -1. */
  at(output: number): number {
    return output < this.pinned.length ? this.pinned[output]! : -1;
  }

  /** The source of `slot`, as the events name it. */
  sourceOf(slot: number): S {
    return this.idAt(slot);
  }

  /** Pins `slot` to `output` without a word (for a copy of other outputs): that output must be free. */
  restore(slot: number, output: number): void {
    this.slots.i32[I32_PER_SLOT * slot + OUTPUT] = output;
    this.reach(output);
    this.pinned[output] = slot;
    this.free.remove(output);
  }

  forward(slot: number, level: number, data: D): void {
    const output = this.slots.i32[I32_PER_SLOT * slot + OUTPUT]!;
    this.emit({ type: 'output-pkt', output, source: this.idAt(slot), level, data });
  }

  /** Makes room in `pinned` up to `output` (doubling, at most `count`). */
  private reach(output: number): void {
    if (output < this.pinned.length) return;
    const grown = new Int32Array(Math.min(this.count, Math.max(2 * this.pinned.length, output + 1, 4))).fill(-1);
    grown.set(this.pinned);
    this.pinned = grown;
  }
}
