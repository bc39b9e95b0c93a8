import type { InvalidHandler, LevelledSourceEvent, SourceEvent, SourcePacket } from '../events/events.js';
import { levelledPacket } from '../rules/levelNormalisation.js';
import { TimelessStage } from './stage.js';
import { reportInvalidEvent, typeOf } from '../events/reports.js';

/**
 * Options of {@link LevelTracker}.
 *
 * @group State machines
 */
export interface LevelTrackerConfig {
  readonly onInvalid?: InvalidHandler | undefined;
}

/**
 * Checks and normalises the level of every packet (missing -> -127, clamped into -127..0, NaN and non-numbers
 * reported and taken as -127), so that every packet it emits carries a usable level. Adds and removals pass as they
 * are; anything that is not a source event is reported and dropped. Holds no per-source state.
 *
 * @group State machines
 */
export class LevelTracker<S, D> extends TimelessStage<SourceEvent<S, D>> {
  private readonly onInvalid: InvalidHandler | undefined;

  constructor(
    config: LevelTrackerConfig,
    private readonly emit: (event: LevelledSourceEvent<S, D>) => void,
  ) {
    super();
    this.onInvalid = config.onInvalid;
  }

  protected handle(event: SourceEvent<S, D>): void {
    switch (typeOf(event)) {
      case 'source-pkt':
        this.emit(levelledPacket(event as SourcePacket<S, D>, this.onInvalid));
        return;
      case 'source-added':
      case 'source-removed':
        this.emit(event as LevelledSourceEvent<S, D>);
        return;
      default:
        reportInvalidEvent(this.onInvalid, event, 'a source event');
    }
  }
}
