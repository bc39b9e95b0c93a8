import type { InvalidHandler, SourceEvent } from '../../events/events.js';
import { SourceRegistry } from '../../rules/sourceRegistry.js';
import { show } from '../../events/show.js';
import { TimedStage } from '../../stages/timedStage.js';
import { decodeEvent, MalformedMessage } from './wire.js';
import { report } from '../../events/reports.js';

/**
 * One message of another node's selection, as it came off the bus.
 *
 * @group State machines
 */
export interface SelectionMessage {
  /** The node that published it. */
  readonly node: string;
  readonly data: Uint8Array;
}

/**
 * Options of {@link RemoteSelections}, already checked.
 *
 * @group State machines
 */
export interface RemoteSelectionsConfig {
  /** This node: its own messages are ignored. */
  readonly node: string;
  /** A remote source with no message for this many ms is removed. */
  readonly timeout: number;
  readonly onInvalid?: InvalidHandler | undefined;
}

/**
 * The other nodes' selections of a room as source events, sans-IO: a remote pin makes its source known
 * (`source-added`), a remote packet becomes a `source-pkt` with its level and data, a remote unpin becomes
 * `source-removed`, and a remote source with no message for `timeout` ms is removed (a node that vanished). This
 * node's own messages are ignored; a message that is not in the wire format is reported as `malformed-message` and
 * dropped.
 *
 * @group State machines
 */
export class RemoteSelections extends TimedStage<SelectionMessage, string> {
  constructor(
    private readonly config: RemoteSelectionsConfig,
    private readonly emit: (event: SourceEvent) => void,
  ) {
    super(new SourceRegistry<string>(config.timeout, config.onInvalid));
  }

  protected handleAt(message: SelectionMessage, now: number): void {
    if (message.node === this.config.node) return;
    let event;
    try {
      event = decodeEvent(message.data);
    } catch (error) {
      if (!(error instanceof MalformedMessage)) throw error;
      report(
        this.config.onInvalid,
        'malformed-message',
        message,
        `a message of node ${show(message.node)} is not a selection event: ${error.message}`,
      );
      return;
    }
    if (event.type === 'output-unpin') {
      if (this.sources.remove(event.source) >= 0) this.emit({ type: 'source-removed', source: event.source });
      return;
    }
    const slot = this.sources.slotOf(event.source);
    if (slot < 0) {
      this.sources.add(event.source, now);
      if (event.type === 'output-pin') this.emit({ type: 'source-added', source: event.source });
    } else {
      this.sources.touch(slot, now);
    }
    if (event.type === 'output-pkt') {
      this.emit({ type: 'source-pkt', source: event.source, level: event.level, data: event.data });
    }
  }

  /** A node that went silent: its source is removed (rule 5). @hidden */
  protected timedOut(slot: number): void {
    this.emit({ type: 'source-removed', source: this.sources.idAt(slot) });
  }
}
