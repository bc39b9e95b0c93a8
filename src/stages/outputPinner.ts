import { releaseAll } from '../rules/end.js';
import type { InvalidHandler, LevelledPacket, OutputEvent, SelectionEvent } from '../events/events.js';
import { Outputs } from '../rules/pinning.js';
import { show } from '../events/show.js';
import { SourceRecord } from '../data/sourceRecord.js';
import { TimelessStage } from './stage.js';
import { report, reportDuplicate, reportInvalidEvent, reportUnknown, typeOf } from '../events/reports.js';

/**
 * Options of {@link OutputPinner}.
 *
 * @group State machines
 */
export interface OutputPinnerConfig {
  /** How many output tracks there are, numbered `0 .. outputs-1`. */
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
  private readonly pinned = new Map<S, SourceRecord<S>>();
  private readonly outputs: Outputs<S, D, SourceRecord<S>>;
  private readonly onInvalid: InvalidHandler | undefined;

  constructor(config: OutputPinnerConfig, emit: (event: OutputEvent<S, D>) => void) {
    super();
    this.onInvalid = config.onInvalid;
    this.outputs = new Outputs(config.outputs, emit);
  }

  protected handle(event: SelectionEvent<S, D>): void {
    switch (typeOf(event)) {
      case 'source-pkt': {
        const packet = event as LevelledPacket<S, D>;
        const record = this.pinned.get(packet.source);
        if (record === undefined) {
          report(this.onInvalid, 'not-pinned', event, `source ${show(packet.source)} holds no output`);
          return;
        }
        this.outputs.forward(record, packet.level, packet.data);
        return;
      }
      case 'source-selected': {
        if (this.pinned.has(event.source)) {
          reportDuplicate(this.onInvalid, event, 'already holds an output');
          return;
        }
        const record = new SourceRecord(event.source);
        if (!this.outputs.pin(record)) {
          report(this.onInvalid, 'no-free-output', event, `all ${this.outputs.count} outputs are taken`);
          return;
        }
        this.pinned.set(event.source, record);
        return;
      }
      case 'source-deselected': {
        const record = this.pinned.get(event.source);
        if (record === undefined) {
          reportUnknown(this.onInvalid, event, 'holds no output');
          return;
        }
        this.pinned.delete(event.source);
        this.outputs.unpin(record);
        return;
      }
      default:
        reportInvalidEvent(this.onInvalid, event, 'a selection event');
    }
  }

  protected override onEnd(): void {
    this.pinned.clear();
    releaseAll(this.outputs);
  }
}
