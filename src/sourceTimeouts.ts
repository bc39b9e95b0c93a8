import { ActivityList } from './activityList.js';
import type { InvalidHandler, SourceEvent, SourcePacket } from './events.js';
import { SourceRecord } from './sourceRecord.js';
import { reportDuplicate, reportInvalidEvent, reportUnknown, type Stage, typeOf } from './stage.js';

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
 * ms gets a `source-removed` at `last event time + timeout`, oldest activity first. A packet costs O(1); timeouts
 * cost O(expired) ({@link ActivityList}).
 */
export class SourceTimeouts<S, D> implements Stage<SourceEvent<S, D>> {
  private readonly known = new Map<S, SourceRecord<S>>();
  private readonly activity = new ActivityList<SourceRecord<S>>();
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

  push(event: SourceEvent<S, D>, time: number): void {
    const now = this.activity.monotonic(time);
    // Whatever fell due at this instant goes first, whether the timer or the event came first.
    this.expire(now);
    switch (typeOf(event)) {
      case 'source-pkt': {
        const packet = event as SourcePacket<S, D>;
        const activity = this.known.get(packet.source);
        if (activity === undefined) {
          this.add(packet.source, now);
          this.emit({ type: 'source-added', source: packet.source });
        } else {
          this.activity.touch(activity, now);
        }
        this.emit(packet);
        return;
      }
      case 'source-added':
        if (this.known.has(event.source)) {
          reportDuplicate(this.onInvalid, event);
          return;
        }
        this.add(event.source, now);
        this.emit(event);
        return;
      case 'source-removed': {
        const activity = this.known.get(event.source);
        if (activity === undefined) {
          reportUnknown(this.onInvalid, event);
          return;
        }
        this.forget(activity);
        this.emit(event);
        return;
      }
      default:
        reportInvalidEvent(this.onInvalid, event, 'a source event');
    }
  }

  nextDeadline(): number | undefined {
    return this.activity.deadline(this.timeout);
  }

  expire(time: number): void {
    const now = this.activity.monotonic(time);
    for (let due = this.activity.due(now, this.timeout); due !== null; due = this.activity.due(now, this.timeout)) {
      this.forget(due);
      this.emit({ type: 'source-removed', source: due.source });
    }
  }

  end(now: number): void {
    this.expire(now);
    this.known.clear();
    this.activity.clear();
  }

  private add(source: S, now: number): void {
    const activity = new SourceRecord(source);
    this.known.set(source, activity);
    this.activity.append(activity, now);
  }

  private forget(activity: SourceRecord<S>): void {
    this.known.delete(activity.source);
    this.activity.remove(activity);
  }
}
