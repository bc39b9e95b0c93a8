import { Observable, type OperatorFunction, type Subscription } from 'rxjs';
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

/** One pinned output: its source's media subscription and the latest level the mixer saw. */
interface Pinned<S> {
  readonly pin: OutputPin<S>;
  level: number;
  media: Subscription | null;
}

/**
 * Fetches a source's media only while it is pinned: levels and media travel apart. Put it after a mixer fed
 * level-only packets (`data` can be anything, `undefined` too).
 *
 * - On `output-pin` it emits the pin, then subscribes to `mediaOf(source)`; each media value is emitted as
 *   `output-pkt { output, source, level, data }`, with the level of that source's latest `output-pkt` on the input
 *   since the pin (-127 before any). The input's own `output-pkt` events only carry levels: they are not emitted.
 * - On `output-unpin` it unsubscribes that media first, then emits the unpin: media of an unpinned source is never
 *   forwarded.
 * - Media that completes or fails while pinned is reported (`media-ended`, `media-failed`, with the `output-pin`
 *   that started it as `event`) and the pin stays, silent until the mixer unpins it; so is a `mediaOf` that throws.
 * - On complete, error and unsubscribe every media subscription ends.
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
      const outputs = new Map<number, Pinned<S>>();
      const reportMedia = (
        reason: 'media-ended' | 'media-failed' | 'invalid-event',
        event: unknown,
        message: string,
      ) => {
        report(onInvalid, reason, event, message);
      };
      const stop = (pinned: Pinned<S>) => {
        const media = pinned.media;
        pinned.media = null;
        media?.unsubscribe();
      };
      const stopAll = () => {
        for (const pinned of outputs.values()) stop(pinned);
        outputs.clear();
      };
      const start = (pinned: Pinned<S>) => {
        const { output, source: id } = pinned.pin;
        let media: Observable<D>;
        try {
          media = mediaOf(id);
        } catch (error) {
          reportMedia('media-failed', pinned.pin, `mediaOf(${show(id)}) threw: ${String(error)}`);
          return;
        }
        pinned.media = media.subscribe({
          next: (data) => {
            if (outputs.get(output) !== pinned || pinned.media === null) return; // unpinned meanwhile
            subscriber.next({ type: 'output-pkt', output, source: id, level: pinned.level, data });
          },
          error: (error: unknown) => {
            if (outputs.get(output) !== pinned) return;
            pinned.media = null;
            reportMedia('media-failed', pinned.pin, `the media of ${show(id)} failed: ${String(error)}`);
          },
          complete: () => {
            if (outputs.get(output) !== pinned) return;
            pinned.media = null;
            reportMedia(
              'media-ended',
              pinned.pin,
              `the media of ${show(id)} ended while it is pinned to output ${output}`,
            );
          },
        });
      };
      const upstream = source.subscribe({
        next: (event) => {
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
            const fresh: Pinned<S> = { pin: event as OutputPin<S>, level: SILENCE, media: null };
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
          stop(pinned);
          subscriber.next(event as OutputEvent<S, D>);
        },
        error: (error: unknown) => {
          stopAll();
          subscriber.error(error);
        },
        complete: () => {
          stopAll();
          subscriber.complete();
        },
      });
      return () => {
        upstream.unsubscribe();
        stopAll();
      };
    });
}
