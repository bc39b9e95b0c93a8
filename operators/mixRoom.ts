import { asyncScheduler, isObservable, Observable, type Subscriber, type Subscription } from 'rxjs';
import type { OutputEvent, SourceEvent } from '../src/events/events.js';
import { checkMixerOptions, checkScheduler } from '../src/options/checks.js';
import { RoomMixerCore } from '../src/stages/room/roomMixerCore.js';
import type { RoomListener } from '../src/stages/room/listener.js';
import { show } from '../src/events/show.js';
import { StageSubscriber } from './internal/fromStage.js';
import type { AudioMixerOptions } from './options.js';
import { report } from '../src/events/reports.js';

/**
 * Whom one listener hears.
 *
 * @group Operators
 */
export interface ListenOptions<S = string> {
  /** Sources this listener never hears, typically its own microphone (mix-minus). Copied when `listen` is called. */
  readonly exclude?: Iterable<S> | undefined;
  /**
   * The sources this listener follows: it hears only those in the latest set emitted (nothing before the first).
   * Subscribed before the listener joins, so a set emitted at once is the one it joins with.
   */
  readonly follow?: Observable<Iterable<S>> | undefined;
}

/**
 * One room, mixed for any number of listeners.
 *
 * @group Operators
 */
export interface MixRoom<S = string, D = Uint8Array> {
  /**
   * One listener's output events: each subscription is a listener of its own (the observable is cold). It receives
   * at once one `output-pin` per output its view holds, then what `audioMixer` fed the room's events of the sources
   * it hears would emit.
   */
  listen(options?: ListenOptions<S>): Observable<OutputEvent<S, D>>;
}

const LISTEN_OPTIONS = new Set(['exclude', 'follow']);

/** The running room: one core and one subscription to the sources, shared by every listener. */
interface Run<S, D> {
  readonly core: RoomMixerCore<S, D>;
  readonly upstream: StageSubscriber<SourceEvent<S, D>, RoomMixerCore<S, D>>;
  readonly listeners: Map<RoomListener<S, D>, Subscriber<OutputEvent<S, D>>>;
}

/**
 * Mixes one room for every listener at once (mix-minus): each listener hears the loudest sources of the room except
 * those it excludes (its own microphone), or only those it follows, with the rules of {@link audioMixer}, and the
 * selection work is shared between listeners.
 *
 * The room subscribes to `sources` when its first listener subscribes and unsubscribes when its last one leaves;
 * its state is then dropped, and the next listener starts it afresh (so does the next listener after `sources`
 * completed or failed). Invalid input is reported to `options.onInvalid` once, not once per listener.
 *
 * A listener whose view is the room's shared view minus sources it does not hear that are not pinned costs nothing
 * per packet and receives the shared view's event objects themselves; one whose view differs (a source it does not
 * hear is pinned for the others) gets a view of its own, copied from the shared view when it diverges.
 *
 * ```
 * sources:  a-b-C-------|   a, b: alice, bob added; C: carol at -10 dBov
 * room = mixRoom(sources, { outputs: 2 })
 * room.listen():
 *           P-Q-(URK)---(WV|)   P: pin 0 alice, Q: pin 1 bob; U, R, K: carol takes alice's output;
 *                               W, V: unpins at the end
 * room.listen({ exclude: ['carol'] }):
 *           P-Q---------(UV|)   carol is never heard: alice and bob keep their outputs
 * room.listen({ exclude: ['carol'] }), subscribed at frame 6:
 *           ------(PQ)--(UV|)   its view at 6: the shared view without carol, alice refilling output 0
 * ```
 *
 * A simple one: `listen()` of a listener that hears everyone emits exactly what `sources.pipe(audioMixer(options))`
 * emits; `listen({ exclude: ['bob-mic'] })` what `audioMixer` emits over the room without bob's microphone.
 *
 * ## Example
 * ```ts
 * import { Subject } from 'rxjs';
 * import { mixRoom, type SourceEvent } from 'rx-audio-mixer';
 *
 * const roomEvents = new Subject<SourceEvent>();
 * const room = mixRoom(roomEvents, { outputs: 3 });
 * for (const participant of ['alice', 'bob', 'carol']) {
 *   room.listen({ exclude: [`${participant}-mic`] }).subscribe((event) => sendTo(participant, event));
 * }
 * ```
 *
 * @param sources The room's source events.
 * @param options As {@link audioMixer}'s, checked at once: a bad value throws a `TypeError` or `RangeError` naming
 * the option.
 * @return The room: call `listen` once per listener.
 *
 * @group Operators
 */
export function mixRoom<S = string, D = Uint8Array>(
  sources: Observable<SourceEvent<S, D>>,
  options: AudioMixerOptions,
): MixRoom<S, D> {
  if (!isObservable(sources)) {
    throw new TypeError(`rx-audio-mixer: 'sources' must be an Observable, got ${show(sources)}`);
  }
  const config = checkMixerOptions(options);
  const scheduler = checkScheduler(options.scheduler, asyncScheduler);
  let running: Run<S, D> | null = null;

  const start = (): Run<S, D> => {
    const core = new RoomMixerCore<S, D>(config);
    const listeners = new Map<RoomListener<S, D>, Subscriber<OutputEvent<S, D>>>();
    const end = (error?: { error: unknown }) => {
      if (running === run) running = null;
      for (const subscriber of [...listeners.values()]) {
        if (error === undefined) subscriber.complete();
        else subscriber.error(error.error);
      }
    };
    const upstream = new StageSubscriber<SourceEvent<S, D>, RoomMixerCore<S, D>>(core, scheduler, {
      complete: () => {
        end();
      },
      error: (error: unknown) => {
        end({ error });
      },
    });
    const run: Run<S, D> = { core, upstream, listeners };
    running = run;
    return run;
  };

  return {
    listen(listenOptions?: ListenOptions<S>): Observable<OutputEvent<S, D>> {
      const { exclude, follow } = checkListenOptions<S>(listenOptions);
      return new Observable<OutputEvent<S, D>>((subscriber) => {
        let run: Run<S, D> | null = null;
        let listener: RoomListener<S, D> | null = null;
        let followed: ReadonlySet<S> = new Set<S>();
        const fail = (error: unknown) => {
          if (run !== null && listener !== null) {
            const joined = listener;
            run.upstream.run((core) => {
              core.endListener(joined, scheduler.now());
            });
          }
          subscriber.error(error);
        };
        let followSubscription: Subscription | undefined;
        if (follow !== undefined) {
          followSubscription = follow.subscribe({
            next: (value: unknown) => {
              if (!isIterable(value)) {
                try {
                  report(
                    config.onInvalid,
                    'invalid-follow',
                    value,
                    `a follow set must be iterable, got ${show(value)}; the previous set stays`,
                  );
                } catch (error) {
                  fail(error);
                }
                return;
              }
              const set = new Set<S>(value as Iterable<S>);
              if (run === null || listener === null) {
                followed = set;
                return;
              }
              const joined = listener;
              run.upstream.run((core) => {
                core.follow(joined, set, scheduler.now());
              });
            },
            error: fail,
          });
        }
        if (subscriber.closed) return () => followSubscription?.unsubscribe();

        const first = running === null;
        const room = running ?? start();
        run = room;
        // Joined as an input event is handled: an end that arrives meanwhile waits, and the timer is armed after.
        const joining: { listener?: RoomListener<S, D> } = {};
        room.upstream.run((core, now) => {
          joining.listener = core.join(
            { exclude, following: follow !== undefined },
            (event) => {
              subscriber.next(event);
            },
            now,
            followed,
          );
        });
        const joined = joining.listener;
        if (joined === undefined) return () => followSubscription?.unsubscribe();
        listener = joined;
        room.listeners.set(joined, subscriber);
        if (first) sources.subscribe(room.upstream);

        return () => {
          followSubscription?.unsubscribe();
          room.core.leave(joined);
          room.listeners.delete(joined);
          if (room.listeners.size === 0 && running === room) {
            running = null;
            room.upstream.unsubscribe();
          }
        };
      });
    },
  };
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return (
    value !== null &&
    value !== undefined &&
    typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function'
  );
}

function checkListenOptions<S>(options: unknown): {
  exclude: ReadonlySet<S>;
  follow: Observable<Iterable<S>> | undefined;
} {
  if (options === undefined) return { exclude: new Set<S>(), follow: undefined };
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`rx-audio-mixer: listener 'options' must be an object, got ${show(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!LISTEN_OPTIONS.has(key)) throw new TypeError(`rx-audio-mixer: unknown listener option '${key}'`);
  }
  const { exclude, follow } = options as { exclude?: unknown; follow?: unknown };
  if (exclude !== undefined && !isIterable(exclude)) {
    throw new TypeError(
      `rx-audio-mixer: listener option 'exclude' must be an iterable of sources, got ${show(exclude)}`,
    );
  }
  if (follow !== undefined && !isObservable(follow)) {
    throw new TypeError(
      `rx-audio-mixer: listener option 'follow' must be an Observable of source sets, got ${show(follow)}`,
    );
  }
  return {
    exclude: new Set<S>((exclude ?? []) as Iterable<S>),
    follow: follow as Observable<Iterable<S>> | undefined,
  };
}
