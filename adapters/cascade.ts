import { asyncScheduler, Observable, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { RemoteSelections, type SelectionMessage } from '../src/adapters/cascade/remoteSelections.js';
import { encodeEvent } from '../src/adapters/cascade/wire.js';
import type { InvalidHandler, OutputEvent, SourceEvent } from '../src/events/events.js';
import { checkOnInvalid, checkOptionsObject, checkScheduler, checkTimeout } from '../src/options/checks.js';
import { show } from '../src/events/show.js';
import { fromStage } from '../operators/internal/fromStage.js';
import { report } from '../src/events/reports.js';

/**
 * What the cascade needs of a NATS connection: the official client's `NatsConnection` has it.
 *
 * @group Operators
 */
export interface NatsLike {
  publish(subject: string, payload: Uint8Array): void;
  subscribe(
    subject: string,
    options: { callback: (error: Error | null, message: { subject: string; data: Uint8Array }) => void },
  ): { unsubscribe(): void };
}

/**
 * Where a room's selections travel: `<prefix>.<room>.<node>`.
 *
 * @group Operators
 */
export interface CascadeOptions {
  /** The room: a NATS subject token (no `.`, `*`, `>` or white space). */
  readonly room: string;
  /** This node: a NATS subject token, unique in the room. */
  readonly node: string;
  /** The first token of the subjects; default `rx-audio-mixer`. */
  readonly prefix?: string | undefined;
  readonly onInvalid?: InvalidHandler | undefined;
}

/**
 * Options of {@link remoteSources}.
 *
 * @group Operators
 */
export interface RemoteSourcesOptions extends CascadeOptions {
  /** A remote source with no message for this many ms is removed: > 0, default 1000. */
  readonly timeout?: number | undefined;
  /** Where time comes from; default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike | undefined;
}

const TOKEN = /^[^\s.*>]+$/;

function checkCascade(options: CascadeOptions) {
  checkOptionsObject(options);
  for (const name of ['room', 'node'] as const) {
    const value: unknown = options[name];
    if (typeof value !== 'string' || !TOKEN.test(value)) {
      throw new TypeError(`rx-audio-mixer: option '${name}' must be a NATS subject token, got ${show(value)}`);
    }
  }
  const prefix = options.prefix ?? 'rx-audio-mixer';
  if (typeof prefix !== 'string' || !prefix.split('.').every((token) => TOKEN.test(token))) {
    throw new TypeError(`rx-audio-mixer: option 'prefix' must be a NATS subject, got ${show(prefix)}`);
  }
  return { room: options.room, node: options.node, prefix, onInvalid: checkOnInvalid(options.onInvalid) };
}

function checkConnection(connection: unknown): NatsLike {
  const candidate = connection as Partial<NatsLike> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.publish !== 'function' ||
    typeof candidate.subscribe !== 'function'
  ) {
    throw new TypeError(`rx-audio-mixer: 'connection' must be a NATS connection, got ${show(connection)}`);
  }
  return candidate as NatsLike;
}

/**
 * Publishes a node's local selection, the output events of a mixer over its local sources, on
 * `<prefix>.<room>.<node>` in the cascade's binary format, and passes them on unchanged. At most `outputs` streams
 * leave the node, whatever its number of sources. When its input completes or fails, or it is unsubscribed, it
 * publishes the unpins of the outputs still pinned, so that the other nodes forget its sources at once.
 *
 * ```
 * local:    P-K-K-(UQ)K-|     the output events of the node's own mixer
 * publishSelection(nc, { room: 'r', node: 'n1' })
 * output:   P-K-K-(UQ)K-|     the same events; each one also published on rx-audio-mixer.r.n1
 * ```
 *
 * @param connection A NATS connection (`@nats-io/transport-node`'s `connect()`).
 * @param options `room`, `node` (required), `prefix`, `onInvalid` (an event that cannot be published: a source id over
 * 255 UTF-8 bytes, an output over 255, a connection that refuses it).
 * @return A function that returns the same Observable of output events.
 *
 * @group Operators
 */
export function publishSelection(connection: NatsLike, options: CascadeOptions): MonoTypeOperatorFunction<OutputEvent> {
  const nc = checkConnection(connection);
  const { room, node, prefix, onInvalid } = checkCascade(options);
  const subject = `${prefix}.${room}.${node}`;
  return (source) =>
    new Observable<OutputEvent>((subscriber) => {
      const pinned = new Map<number, string>();
      const publish = (event: OutputEvent) => {
        try {
          nc.publish(subject, encodeEvent(event));
        } catch (error) {
          report(onInvalid, 'invalid-event', event, `not published: ${String(error)}`);
        }
      };
      const unpinAll = () => {
        for (const output of [...pinned.keys()].sort((a, b) => a - b)) {
          publish({ type: 'output-unpin', output, source: pinned.get(output)! });
        }
        pinned.clear();
      };
      const upstream = source.subscribe({
        next: (event) => {
          if (event.type === 'output-pin') pinned.set(event.output, event.source);
          else if (event.type === 'output-unpin') pinned.delete(event.output);
          publish(event);
          subscriber.next(event);
        },
        error: (error: unknown) => {
          unpinAll();
          subscriber.error(error);
        },
        complete: () => {
          unpinAll();
          subscriber.complete();
        },
      });
      return () => {
        upstream.unsubscribe();
        unpinAll();
      };
    });
}

/**
 * The other nodes' selections of the room as source events, for this node's listeners to hear beside its local
 * sources (`merge(local, remoteSources(nc, o))` into `mixRoom` or `audioMixer`; source ids are kept, so `exclude`
 * works across nodes). A remote pin makes its source known, its packets become `source-pkt` with their level and
 * data, a remote unpin becomes `source-removed`; this node's own messages are ignored. A remote source with no
 * message for `timeout` ms is removed, so that a vanished node's sources are not kept. A message not in the wire
 * format is reported as `malformed-message` and dropped; the subscription goes on.
 *
 * ```
 * bus:     P-K-K-----------     P, K: node n2 pins alice, sends her packets, then vanishes
 * remoteSources(nc, { room: 'r', node: 'n1', timeout: 5 })
 * output:  a-k-k----r------     a: alice added; k: her packets; r: removed 5 frames after her last message
 * ```
 *
 * @param connection A NATS connection.
 * @param options `room`, `node` (required), `prefix`, `timeout`, `scheduler`, `onInvalid`.
 * @return An Observable of source events; subscribing subscribes to `<prefix>.<room>.*`.
 *
 * @group Operators
 */
export function remoteSources(connection: NatsLike, options: RemoteSourcesOptions): Observable<SourceEvent> {
  const nc = checkConnection(connection);
  const { room, node, prefix, onInvalid } = checkCascade(options);
  const timeout = checkTimeout(options.timeout);
  const scheduler = checkScheduler(options.scheduler, asyncScheduler);
  const base = `${prefix}.${room}.`;
  const messages = new Observable<SelectionMessage>((subscriber) => {
    const subscription = nc.subscribe(`${base}*`, {
      callback: (error, message) => {
        if (error !== null) subscriber.error(error);
        else subscriber.next({ node: message.subject.slice(base.length), data: message.data });
      },
    });
    return () => {
      subscription.unsubscribe();
    };
  });
  const stage = fromStage<SelectionMessage, SourceEvent>(
    (emit) => new RemoteSelections({ node, timeout, onInvalid }, emit),
    scheduler,
  );
  return messages.pipe(stage);
}
