import type { OutputEvent } from '../events/events.js';
import { FreeOutputs } from '../data/freeOutputs.js';

/** What `Outputs` needs to know of a source. */
export interface Pinnable<S> {
  readonly source: S;
  /** The output it holds, or -1. */
  output: number;
}

/**
 * The output tracks: pins a source to the lowest-numbered free output, unpins, forwards packets, and releases all
 * in ascending order at the end. Shared by {@link OutputPinner} and {@link AudioMixerCore}.
 */
export class Outputs<S, D, R extends Pinnable<S>> {
  private readonly pinned: (R | null)[];
  private free: FreeOutputs;

  constructor(
    readonly count: number,
    private readonly emit: (event: OutputEvent<S, D>) => void,
  ) {
    this.pinned = new Array<R | null>(count).fill(null);
    this.free = new FreeOutputs(count);
  }

  /** Pins `record` to the lowest free output; false when every output is taken. */
  pin(record: R): boolean {
    const output = this.free.take();
    if (output < 0) return false;
    record.output = output;
    this.pinned[output] = record;
    this.emit({ type: 'output-pin', output, source: record.source });
    return true;
  }

  unpin(record: R): void {
    const output = record.output;
    record.output = -1;
    this.pinned[output] = null;
    this.free.give(output);
    this.emit({ type: 'output-unpin', output, source: record.source });
  }

  /** The record pinned to `output`, or `null`. */
  at(output: number): R | null {
    return this.pinned[output] ?? null;
  }

  /** Pins `record` to `record.output` without a word (for a copy of other outputs): that output must be free. */
  restore(record: R): void {
    this.pinned[record.output] = record;
    this.free.remove(record.output);
  }

  forward(record: R, level: number, data: D): void {
    this.emit({ type: 'output-pkt', output: record.output, source: record.source, level, data });
  }
}
