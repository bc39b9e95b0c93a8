import { show } from './show.js';
import type { InvalidHandler, LevelledPacket, OutputEvent, SelectionEvent } from './events.js';
import { FreeOutputs } from './freeOutputs.js';
import { report, reportInvalidEvent, typeOf, TimelessStage } from './stage.js';

/** Options of {@link OutputPinner}. */
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
 */
export class OutputPinner<S, D> extends TimelessStage<SelectionEvent<S, D>> {
  private readonly outputOf = new Map<S, number>();
  private readonly pinnedTo: (S | undefined)[];
  private free: FreeOutputs;
  private readonly outputs: number;
  private readonly onInvalid: InvalidHandler | undefined;

  constructor(
    config: OutputPinnerConfig,
    private readonly emit: (event: OutputEvent<S, D>) => void,
  ) {
    super();
    this.outputs = config.outputs;
    this.onInvalid = config.onInvalid;
    this.pinnedTo = new Array<S | undefined>(config.outputs).fill(undefined);
    this.free = new FreeOutputs(config.outputs);
  }

  push(event: SelectionEvent<S, D>): void {
    switch (typeOf(event)) {
      case 'source-pkt': {
        const packet = event as LevelledPacket<S, D>;
        const output = this.outputOf.get(packet.source);
        if (output === undefined) {
          report(this.onInvalid, 'not-pinned', event, `source ${show(packet.source)} holds no output`);
          return;
        }
        this.emit({ type: 'output-pkt', output, source: packet.source, level: packet.level, data: packet.data });
        return;
      }
      case 'source-selected': {
        if (this.outputOf.has(event.source)) {
          report(this.onInvalid, 'duplicate-source', event, `source ${show(event.source)} already holds an output`);
          return;
        }
        const output = this.free.take();
        if (output < 0) {
          report(this.onInvalid, 'no-free-output', event, `all ${this.outputs} outputs are taken`);
          return;
        }
        this.outputOf.set(event.source, output);
        this.pinnedTo[output] = event.source;
        this.emit({ type: 'output-pin', output, source: event.source });
        return;
      }
      case 'source-deselected': {
        const output = this.outputOf.get(event.source);
        if (output === undefined) {
          report(this.onInvalid, 'unknown-source', event, `source ${show(event.source)} holds no output`);
          return;
        }
        this.outputOf.delete(event.source);
        this.pinnedTo[output] = undefined;
        this.free.give(output);
        this.emit({ type: 'output-unpin', output, source: event.source });
        return;
      }
      default:
        reportInvalidEvent(this.onInvalid, event, 'a selection event');
    }
  }

  override abort(): void {
    // Unpin by ascending output; `outputOf` says which are taken, since a source id may itself be undefined.
    for (let output = 0; output < this.outputs; output++) {
      const source = this.pinnedTo[output] as S;
      if (this.outputOf.get(source) !== output) continue;
      this.outputOf.delete(source);
      this.pinnedTo[output] = undefined;
      this.emit({ type: 'output-unpin', output, source });
    }
    this.free = new FreeOutputs(this.outputs);
  }
}
