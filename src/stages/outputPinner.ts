import { releaseAll } from '../rules/end.js';
import type { InvalidHandler, LevelledPacket, OutputEvent, SelectionEvent } from '../events/events.js';
import { Outputs } from '../rules/pinning.js';
import { show } from '../events/show.js';
import { SlotPool } from '../data/slotPool.js';
import { TimelessStage } from './stage.js';
import { checkOutputs } from '../options/checks.js';
import { report, reportDuplicate, reportInvalidEvent, reportUnknown, typeOf } from '../events/reports.js';

/**
 * Options of {@link OutputPinner}.
 *
 * @group State machines
 */
export interface OutputPinnerConfig {
  /** How many output tracks there are, numbered `0 .. outputs-1`: an integer 1 .. {@link MAX_OUTPUTS} (1024). */
  readonly outputs: number;
  readonly onInvalid?: InvalidHandler | undefined;
}

/**
 * Gives each selected source an output track and forwards its packets on it.
 *
 * A selection pins the lowest-numbered free output (`output-pin`); a deselection frees it (`output-unpin`); a packet
 * of a pinned source becomes an `output-pkt`. When the input ends or fails, every pinned output is unpinned in
 * ascending order, so every `output-pin` is matched by exactly one `output-unpin`.
 *
 * @group State machines
 */
export class OutputPinner<S, D> extends TimelessStage<SelectionEvent<S, D>> {
  /** Per pinned source, its slot: a record that keeps its output, in {@link SlotPool}. */
  private readonly pinned = new Map<S, number>();
  private readonly pool = new SlotPool<S>();
  private readonly outputs: Outputs<S, D>;
  private readonly onInvalid: InvalidHandler | undefined;

  /** @throws RangeError when `outputs` is not an integer 1 .. {@link MAX_OUTPUTS}. */
  constructor(config: OutputPinnerConfig, emit: (event: OutputEvent<S, D>) => void) {
    super();
    checkOutputs(config.outputs);
    this.onInvalid = config.onInvalid;
    const pool = this.pool;
    this.outputs = new Outputs<S, D>(config.outputs, pool.slots, (slot) => pool.at(slot), emit);
  }

  protected handle(event: SelectionEvent<S, D>): void {
    switch (typeOf(event)) {
      case 'source-pkt': {
        const packet = event as LevelledPacket<S, D>;
        const slot = this.pinned.get(packet.source);
        if (slot === undefined) {
          report(this.onInvalid, 'not-pinned', event, `source ${show(packet.source)} holds no output`);
          return;
        }
        this.outputs.forward(slot, packet.level, packet.data);
        return;
      }
      case 'source-selected': {
        if (this.pinned.has(event.source)) {
          reportDuplicate(this.onInvalid, event, 'already holds an output');
          return;
        }
        if (this.pinned.size === this.outputs.count) {
          report(this.onInvalid, 'no-free-output', event, `all ${this.outputs.count} outputs are taken`);
          return;
        }
        const slot = this.pool.take(() => event.source);
        this.outputs.pin(slot);
        this.pinned.set(event.source, slot);
        return;
      }
      case 'source-deselected': {
        const slot = this.pinned.get(event.source);
        if (slot === undefined) {
          reportUnknown(this.onInvalid, event, 'holds no output');
          return;
        }
        this.pinned.delete(event.source);
        this.outputs.unpin(slot);
        this.pool.give(slot);
        return;
      }
      default:
        reportInvalidEvent(this.onInvalid, event, 'a selection event');
    }
  }

  protected override onEnd(): void {
    this.pinned.clear();
    releaseAll(this.outputs);
    this.pool.clear();
  }
}
