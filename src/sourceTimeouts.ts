import { show } from './show.js';
import type { InvalidHandler, SourceEvent, SourcePacket } from './events.js';
import { report, reportInvalidEvent, typeOf, type Stage } from './stage.js';

/** A known source in the activity list, least recently active first. */
interface Activity<S> {
  readonly source: S;
  lastActive: number;
  prev: Activity<S> | null;
  next: Activity<S> | null;
}

/** Options of {@link SourceTimeouts}. */
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
 * ms gets a `source-removed` at `last event time + timeout`, oldest activity first.
 *
 * Sources sit in a list ordered by last activity, so a packet costs O(1) (move to the tail) and timeouts cost
 * O(expired) (pop from the head). Time only moves forward, so the head always has the earliest deadline.
 */
export class SourceTimeouts<S, D> implements Stage<SourceEvent<S, D>> {
  private readonly known = new Map<S, Activity<S>>();
  private head: Activity<S> | null = null;
  private tail: Activity<S> | null = null;
  private readonly timeout: number;
  private readonly onInvalid: InvalidHandler | undefined;

  constructor(
    config: SourceTimeoutsConfig,
    private readonly emit: (event: SourceEvent<S, D>) => void,
  ) {
    this.timeout = config.timeout;
    this.onInvalid = config.onInvalid;
  }

  /** How many sources are known. */
  get size(): number {
    return this.known.size;
  }

  push(event: SourceEvent<S, D>, now: number): void {
    // Whatever fell due at this instant goes first, whether the timer or the event came first.
    this.expire(now);
    switch (typeOf(event)) {
      case 'source-pkt':
        this.packet(event as SourcePacket<S, D>, now);
        return;
      case 'source-added':
        if (this.known.has(event.source)) {
          report(this.onInvalid, 'duplicate-source', event, `source ${show(event.source)} was already added`);
          return;
        }
        this.append({ source: event.source, lastActive: now, prev: null, next: null });
        this.emit(event);
        return;
      case 'source-removed': {
        const activity = this.known.get(event.source);
        if (activity === undefined) {
          report(this.onInvalid, 'unknown-source', event, `source ${show(event.source)} is not known`);
          return;
        }
        this.unlink(activity);
        this.emit(event);
        return;
      }
      default:
        reportInvalidEvent(this.onInvalid, event, 'a source event');
    }
  }

  nextDeadline(): number | undefined {
    return this.head === null ? undefined : this.head.lastActive + this.timeout;
  }

  expire(now: number): void {
    let activity = this.head;
    while (activity !== null && activity.lastActive + this.timeout <= now) {
      this.unlink(activity);
      this.emit({ type: 'source-removed', source: activity.source });
      activity = this.head;
    }
  }

  end(now: number): void {
    this.expire(now);
    this.abort();
  }

  abort(): void {
    this.known.clear();
    this.head = this.tail = null;
  }

  private packet(packet: SourcePacket<S, D>, now: number): void {
    const activity = this.known.get(packet.source);
    if (activity === undefined) {
      this.append({ source: packet.source, lastActive: now, prev: null, next: null });
      this.emit({ type: 'source-added', source: packet.source });
    } else if (activity !== this.tail) {
      this.detach(activity);
      activity.lastActive = now;
      this.attach(activity);
    } else {
      activity.lastActive = now;
    }
    this.emit(packet);
  }

  private append(activity: Activity<S>): void {
    this.known.set(activity.source, activity);
    this.attach(activity);
  }

  private unlink(activity: Activity<S>): void {
    this.known.delete(activity.source);
    this.detach(activity);
  }

  private attach(activity: Activity<S>): void {
    activity.prev = this.tail;
    activity.next = null;
    if (this.tail === null) this.head = activity;
    else this.tail.next = activity;
    this.tail = activity;
  }

  private detach(activity: Activity<S>): void {
    if (activity.prev === null) this.head = activity.next;
    else activity.prev.next = activity.next;
    if (activity.next === null) this.tail = activity.prev;
    else activity.next.prev = activity.prev;
    activity.prev = activity.next = null;
  }
}
