import type { InvalidHandler, SourceEvent, SourcePacket } from '../events/events.js';
import { normalisedLevel } from '../rules/levelNormalisation.js';
import { SerialStage } from './stage.js';
import { reportInvalidEvent, typeOf } from '../events/reports.js';

/**
 * The loudest sources of the last interval, loudest first.
 *
 * @group State machines
 */
export interface AudioVolumes<S = string> {
  readonly type: 'volumes';
  readonly volumes: readonly { readonly source: S; readonly level: number }[];
}

/**
 * No source was above the threshold in the last interval (emitted once, not again while silence lasts).
 *
 * @group State machines
 */
export interface AudioSilence {
  readonly type: 'silence';
}

/**
 * What {@link AudioLevelObserver} emits.
 *
 * @group State machines
 */
export type AudioLevelsEvent<S = string> = AudioVolumes<S> | AudioSilence;

/**
 * Options of {@link AudioLevelObserver}, already checked.
 *
 * @group State machines
 */
export interface AudioLevelObserverConfig {
  /** How often volumes are reported, in ms. */
  readonly interval: number;
  /** Only sources whose mean level over the interval is above this (dBov) are reported. */
  readonly threshold: number;
  /** At most this many sources per report. */
  readonly maxEntries: number;
  readonly onInvalid?: InvalidHandler | undefined;
}

interface Tally {
  sum: number;
  count: number;
  /** Whether the source was heard of (added or a packet) during the current interval. */
  seen: boolean;
}

/**
 * mediasoup's `AudioLevelObserver`, sans-IO: every `interval` ms it emits the sources whose mean level over the
 * interval is above `threshold`, loudest first, at most `maxEntries`, as `{ type: 'volumes', volumes }`; when none is
 * above, one `{ type: 'silence' }`, not repeated while silence lasts.
 *
 * Intervals run from the moment a source is first known, and only while sources are known: a source is known from
 * its first event until it is removed or an interval passes in which it sent nothing. Missing levels count as -127;
 * bad ones too, reported as `audioMixer` reports them. Ties are broken by the order in which sources became known.
 *
 * @group State machines
 */
export class AudioLevelObserver<S, D> extends SerialStage<SourceEvent<S, D>> {
  private readonly tallies = new Map<S, Tally>();
  private next: number | undefined;
  private silent = false;

  constructor(
    private readonly config: AudioLevelObserverConfig,
    private readonly emit: (event: AudioLevelsEvent<S>) => void,
  ) {
    super();
  }

  protected handle(event: SourceEvent<S, D>, now: number): void {
    this.reportDue(now);
    switch (typeOf(event)) {
      case 'source-pkt': {
        const packet = event as SourcePacket<S, D>;
        const tally = this.know(packet.source, now);
        tally.sum += normalisedLevel(packet, this.config.onInvalid);
        tally.count += 1;
        return;
      }
      case 'source-added':
        this.know(event.source, now);
        return;
      case 'source-removed':
        this.tallies.delete(event.source);
        if (this.tallies.size === 0) this.next = undefined;
        return;
      default:
        reportInvalidEvent(this.config.onInvalid, event, 'a source event');
    }
  }

  nextDeadline(): number | undefined {
    return this.next;
  }

  protected onExpire(now: number): void {
    this.reportDue(now);
  }

  protected onEnd(): void {
    this.tallies.clear();
    this.next = undefined;
    this.silent = false;
  }

  private know(source: S, now: number): Tally {
    let tally = this.tallies.get(source);
    if (tally === undefined) {
      tally = { sum: 0, count: 0, seen: true };
      this.tallies.set(source, tally);
    }
    tally.seen = true;
    this.next ??= now + this.config.interval;
    return tally;
  }

  /** Reports every interval that ended by `now`. */
  private reportDue(now: number): void {
    while (this.next !== undefined && this.next <= now) {
      const volumes: { source: S; level: number }[] = [];
      for (const [source, tally] of this.tallies) {
        if (tally.count > 0) {
          const level = tally.sum / tally.count;
          if (level > this.config.threshold) volumes.push({ source, level });
        }
        if (!tally.seen) this.tallies.delete(source);
        tally.sum = 0;
        tally.count = 0;
        tally.seen = false;
      }
      this.next = this.tallies.size === 0 ? undefined : this.next + this.config.interval;
      if (volumes.length > 0) {
        this.silent = false;
        volumes.sort((a, b) => b.level - a.level);
        this.emit({ type: 'volumes', volumes: volumes.slice(0, this.config.maxEntries) });
      } else if (!this.silent) {
        this.silent = true;
        this.emit({ type: 'silence' });
      }
    }
  }
}
