import { Observable, Subscription, type Observer, type OperatorFunction } from 'rxjs';
import type { InvalidHandler, OutputEvent, OutputPin } from '../src/events/events.js';
import { SILENCE } from '../src/events/levels.js';
import { checkOnInvalid } from '../src/options/checks.js';
import { show } from '../src/events/show.js';
import { typeOf, report } from '../src/events/reports.js';

/**
 * Options of {@link withMedia}.
 *
 * @group Operators
 */
export interface WithMediaOptions {
  /** Receives `media-ended`, `media-failed` and `invalid-event` reports. */
  readonly onInvalid?: InvalidHandler | undefined;
}

/**
 * One pinned output: the latest level the mixer saw, and the subscriber of its source's media.
 *
 * It is made with the pin, before the media is subscribed, and it is an observer that is also a subscription, so
 * RxJS uses it as the media's subscriber itself. So a value the media emits as it is subscribed is forwarded at once,
 * and once the pin ends (unpin, complete, error, unsubscribe: `closed`), nothing more is forwarded and a media that
 * emits as it is subscribed stops at once, before its subscription is even returned.
 */
class PinnedMedia<S, D> extends Subscription implements Observer<D> {
  level: number = SILENCE;

  constructor(
    readonly pin: OutputPin<S>,
    private readonly forward: (pinned: PinnedMedia<S, D>, data: D) => void,
    /** The media ended or failed while pinned; the pin stays. */
    private readonly ended: (pinned: PinnedMedia<S, D>, failure?: { readonly error: unknown }) => void,
  ) {
    super();
  }

  next(data: D): void {
    if (!this.closed) this.forward(this, data);
  }

  error(error: unknown): void {
    if (this.closed) return;
    this.unsubscribe();
    this.ended(this, { error });
  }

  complete(): void {
    if (this.closed) return;
    this.unsubscribe();
    this.ended(this);
  }
}

/**
 * Fetches a source's media only while it is pinned: levels and media travel apart. Put it after a mixer fed
 * level-only packets (`data` can be anything, `undefined` too).
 *
 * - On `output-pin` it emits the pin, then subscribes to `mediaOf(source)`; each media value is emitted as
 *   `output-pkt { output, source, level, data }`, with the level of that source's latest `output-pkt` on the input
 *   since the pin (-127 before any). The input's own `output-pkt` events only carry levels: they are not emitted.
 *   A value the media emits as it is subscribed (a `ReplaySubject`, `shareReplay(1)`, `startWith`, `of`, a cache of
 *   the last frame) is emitted right after the pin, before anything else, at -127 dB; so is one after the same
 *   source is unpinned and pinned again.
 * - On `output-unpin` it unsubscribes that media first, then emits the unpin: media of an unpinned source is never
 *   forwarded.
 * - Media that completes or fails while pinned is reported (`media-ended`, `media-failed`, with the `output-pin`
 *   that started it as `event`) and the pin stays, silent until the mixer unpins it; so is a `mediaOf` that throws.
 * - On complete, error and unsubscribe every media subscription ends.
 * - An `onInvalid` that throws fails the stream with what it threw; every media subscription ends.
 *
 * ```
 * mixer:   P-k-k----U-|     P: pin 0 alice; k: level-only packets; U: unpin 0 alice
 * alice:     --m--m--m--    her media (subscribed at the pin, unsubscribed at the unpin)
 * withMedia((source) => media[source])
 * output:  P---K--K-U-|     K: output-pkt 0 alice, data m, level of the latest k
 * ```
 *
 * ## Example
 * ```ts
 * import { audioMixer, withMedia } from 'rx-audio-mixer';
 *
 * levels$.pipe(audioMixer({ outputs: 3 }), withMedia((source) => mediaServer.consume(source)));
 * ```
 *
 * @param mediaOf The media of a source: subscribed while it is pinned.
 * @param options `onInvalid`.
 * @return A function that returns an Observable of output events whose packets carry the media.
 *
 * @group Operators
 */
export function withMedia<S, D>(
  mediaOf: (source: S) => Observable<D>,
  options: WithMediaOptions = {},
): OperatorFunction<OutputEvent<S, unknown>, OutputEvent<S, D>> {
  if (typeof mediaOf !== 'function') {
    throw new TypeError(`rx-audio-mixer: 'mediaOf' must be a function, got ${show(mediaOf)}`);
  }
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new TypeError(`rx-audio-mixer: option 'options' must be an object, got ${show(options)}`);
  }
  const onInvalid = checkOnInvalid(options.onInvalid);
  return (source) =>
    new Observable<OutputEvent<S, D>>((subscriber) => {
      const outputs = new Map<number, PinnedMedia<S, D>>();
      const reportMedia = (
        reason: 'media-ended' | 'media-failed' | 'invalid-event',
        event: unknown,
        message: string,
      ) => {
        try {
          report(onInvalid, reason, event, message);
        } catch (error) {
          // As the mixers do: the stream fails with what `onInvalid` threw (and every media subscription ends).
          stopAll();
          subscriber.error(error);
        }
      };
      const forward = (pinned: PinnedMedia<S, D>, data: D) => {
        const { output, source: id } = pinned.pin;
        subscriber.next({ type: 'output-pkt', output, source: id, level: pinned.level, data });
      };
      const ended = (pinned: PinnedMedia<S, D>, failure?: { readonly error: unknown }) => {
        const { output, source: id } = pinned.pin;
        if (failure === undefined) {
          reportMedia(
            'media-ended',
            pinned.pin,
            `the media of ${show(id)} ended while it is pinned to output ${output}`,
          );
        } else {
          reportMedia('media-failed', pinned.pin, `the media of ${show(id)} failed: ${String(failure.error)}`);
        }
      };
      const stopAll = () => {
        for (const pinned of outputs.values()) pinned.unsubscribe();
        outputs.clear();
      };
      const start = (pinned: PinnedMedia<S, D>) => {
        if (pinned.closed) return; // unpinned while its pin was emitted
        const id = pinned.pin.source;
        let media: Observable<D>;
        try {
          media = mediaOf(id);
        } catch (error) {
          reportMedia('media-failed', pinned.pin, `mediaOf(${show(id)}) threw: ${String(error)}`);
          return;
        }
        media.subscribe(pinned);
      };
      // Like the media's subscribers, an observer that is also a subscription, closed as soon as downstream
      // unsubscribes: a synchronous input sees that and stops instead of draining into a dead end.
      const upstream: Subscription & Observer<OutputEvent<S, unknown>> = Object.assign(new Subscription(), {
        next: (event: OutputEvent<S, unknown>) => {
          if (upstream.closed) return;
          const type = typeOf(event);
          const output: unknown = type === undefined ? undefined : event.output;
          if (
            (type !== 'output-pin' && type !== 'output-pkt' && type !== 'output-unpin') ||
            typeof output !== 'number' ||
            !Number.isInteger(output) ||
            output < 0
          ) {
            reportMedia('invalid-event', event, 'expected an output event with an output number');
            return;
          }
          const pinned = outputs.get(output);
          if (type === 'output-pin') {
            if (pinned !== undefined) {
              reportMedia('invalid-event', event, `output ${output} is already pinned to ${show(pinned.pin.source)}`);
              return;
            }
            const fresh = new PinnedMedia<S, D>(event as OutputPin<S>, forward, ended);
            outputs.set(output, fresh);
            subscriber.next(event as OutputPin<S>);
            start(fresh);
            return;
          }
          if (pinned === undefined || pinned.pin.source !== event.source) {
            reportMedia('invalid-event', event, `output ${output} does not hold ${show(event.source)}`);
            return;
          }
          if (type === 'output-pkt') {
            pinned.level = (event as { level: number }).level;
            return;
          }
          outputs.delete(output);
          pinned.unsubscribe();
          subscriber.next(event as OutputEvent<S, D>);
        },
        error: (error: unknown) => {
          if (upstream.closed) return;
          stopAll();
          subscriber.error(error);
        },
        complete: () => {
          if (upstream.closed) return;
          stopAll();
          subscriber.complete();
        },
      });
      subscriber.add(upstream);
      subscriber.add(stopAll);
      source.subscribe(upstream);
    });
}
