import type { InvalidHandler, SourceEvent, SourcePacket } from '../events/events.js';
import { SourceRegistry } from '../rules/sourceRegistry.js';
import { TimedStage } from './timedStage.js';
import { reportInvalidEvent, typeOf } from '../events/reports.js';

/**
 * Options of {@link SourceTimeouts}.
 *
 * @group State machines
 */
export interface SourceTimeoutsConfig {
  /** Silence after which a source is removed, in ms. */
  readonly timeout: number;
  readonly onInvalid?: InvalidHandler | undefined;
}

/**
 * Keeps the set of known sources and removes those that have been silent for `timeout` ms.
 *
 * Its output is a well-formed source stream: a packet of an unknown source is preceded by a `source-added`,
 * duplicate adds and removals of unknown sources are reported and dropped, and a source with no event for `timeout`
 * ms gets a `source-removed` at `last event time + timeout`, oldest activity first. A packet costs O(1); timeouts
 * cost O(expired) (`SourceRegistry`).
 *
 * @group State machines
 */
export class SourceTimeouts<S, D> extends TimedStage<SourceEvent<S, D>, S> {
  private readonly onInvalid: InvalidHandler | undefined;

  constructor(
    config: SourceTimeoutsConfig,
    private readonly emit: (event: SourceEvent<S, D>) => void,
  ) {
    super(new SourceRegistry<S>(config.timeout, config.onInvalid));
    this.onInvalid = config.onInvalid;
  }

  protected handleAt(event: SourceEvent<S, D>, now: number): void {
    switch (typeOf(event)) {
      case 'source-pkt': {
        const packet = event as SourcePacket<S, D>;
        const slot = this.sources.slotOf(packet.source);
        if (slot < 0) {
          this.sources.add(packet.source, now);
          this.emit({ type: 'source-added', source: packet.source });
        } else {
          this.sources.touch(slot, now);
        }
        this.emit(packet);
        return;
      }
      case 'source-added':
        if (this.sources.admit(event, now) >= 0) this.emit(event);
        return;
      case 'source-removed':
        if (this.sources.dismiss(event) >= 0) this.emit(event);
        return;
      default:
        reportInvalidEvent(this.onInvalid, event, 'a source event');
    }
  }

  /**
   * A timed-out source (the skeleton's hook): not API, yet kept in the .d.ts, which needs it.
   * @hidden
   */
  protected timedOut(slot: number): void {
    this.emit({ type: 'source-removed', source: this.sources.idAt(slot) });
  }
}
