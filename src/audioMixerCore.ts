import type { InvalidHandler, OutputEvent, SourceEvent } from './events.js';
import { LevelTracker } from './levelTracker.js';
import { LoudestSelector } from './loudestSelector.js';
import { OutputPinner } from './outputPinner.js';
import { SourceTimeouts } from './sourceTimeouts.js';
import type { Stage } from './stage.js';

/** Options of {@link AudioMixerCore}, already checked. */
export interface AudioMixerConfig {
  readonly outputs: number;
  readonly threshold: number;
  readonly timeout: number;
  readonly onInvalid?: InvalidHandler | undefined;
}

/**
 * The whole mixer as one sans-IO state machine: source events and the time in, output events out through `emit`.
 *
 * It chains the four stages with plain calls, so it behaves exactly like
 * `timeoutSources, trackLevels, selectLoudest, pinOutputs` piped one after the other, with no observable in between.
 *
 * @example
 * const events: OutputEvent[] = [];
 * const mixer = new AudioMixerCore({ outputs: 2, threshold: 30, timeout: 1000 }, (e) => events.push(e));
 * mixer.push({ type: 'source-added', source: 'alice' }, 0);   // output-pin 0 alice
 * mixer.expire(mixer.nextDeadline() ?? 0);                   // output-unpin 0 alice, at 1000
 */
export class AudioMixerCore<S = string, D = Uint8Array> implements Stage<SourceEvent<S, D>> {
  private readonly timeouts: SourceTimeouts<S, D>;
  private readonly selector: LoudestSelector<S, D>;
  private readonly pinner: OutputPinner<S, D>;

  constructor(config: AudioMixerConfig, emit: (event: OutputEvent<S, D>) => void) {
    this.pinner = new OutputPinner<S, D>(config, emit);
    this.selector = new LoudestSelector<S, D>(config, (event) => {
      this.pinner.push(event);
    });
    const tracker = new LevelTracker<S, D>(config, (event) => {
      this.selector.push(event);
    });
    this.timeouts = new SourceTimeouts<S, D>(config, (event) => {
      tracker.push(event);
    });
  }

  /** How many sources are known. */
  get size(): number {
    return this.timeouts.size;
  }

  push(event: SourceEvent<S, D>, now: number): void {
    this.timeouts.push(event, now);
  }

  nextDeadline(): number | undefined {
    return this.timeouts.nextDeadline();
  }

  expire(now: number): void {
    this.timeouts.expire(now);
  }

  end(now: number): void {
    this.timeouts.end(now);
    this.selector.end();
    this.pinner.end();
  }

  abort(): void {
    this.timeouts.abort();
    this.selector.abort();
    this.pinner.abort();
  }
}
