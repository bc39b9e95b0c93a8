import { ActivityList } from './activityList.js';
import type { InvalidHandler, OutputEvent, SourceEvent, SourcePacket } from './events.js';
import { normalisedLevel } from './levels.js';
import { Outputs } from './outputs.js';
import { Selection } from './selection.js';
import { SourceRecord } from './sourceRecord.js';
import { reportDuplicate, reportInvalidEvent, reportUnknown, type Stage, typeOf } from './stage.js';

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
 * It fuses the four stages (`SourceTimeouts`, `LevelTracker`, `LoudestSelector`, `OutputPinner`) for speed: one
 * record per source instead of one per stage, and no intermediate events. The rules themselves are shared with the
 * stages ({@link ActivityList}, {@link Selection}, {@link Outputs}), and a property test checks that
 * `timeoutSources, trackLevels, selectLoudest, pinOutputs` emit exactly what this does.
 *
 * @example
 * const events: OutputEvent[] = [];
 * const mixer = new AudioMixerCore({ outputs: 2, threshold: 30, timeout: 1000 }, (e) => events.push(e));
 * mixer.push({ type: 'source-added', source: 'alice' }, 0);   // output-pin 0 alice
 * mixer.expire(mixer.nextDeadline() ?? 0);                   // output-unpin 0 alice, at 1000
 */
export class AudioMixerCore<S = string, D = Uint8Array> implements Stage<SourceEvent<S, D>> {
  private readonly records = new Map<S, SourceRecord<S>>();
  private readonly activity = new ActivityList<SourceRecord<S>>();
  private readonly selection: Selection<SourceRecord<S>>;
  private readonly outputs: Outputs<S, D, SourceRecord<S>>;
  private readonly timeout: number;
  private readonly onInvalid: InvalidHandler | undefined;

  constructor(config: AudioMixerConfig, emit: (event: OutputEvent<S, D>) => void) {
    this.timeout = config.timeout;
    this.onInvalid = config.onInvalid;
    const outputs = new Outputs<S, D, SourceRecord<S>>(config.outputs, emit);
    this.outputs = outputs;
    this.selection = new Selection<SourceRecord<S>>(config.outputs, config.threshold, {
      selected: (record) => outputs.pin(record),
      deselected: (record) => {
        outputs.unpin(record);
      },
    });
  }

  /** How many sources are known. */
  get size(): number {
    return this.records.size;
  }

  push(event: SourceEvent<S, D>, time: number): void {
    const now = this.activity.monotonic(time);
    // Whatever fell due at this instant goes first, whether the timer or the event came first.
    this.expire(now);
    switch (typeOf(event)) {
      case 'source-pkt': {
        const raw = event as SourcePacket<S, D>;
        let record = this.records.get(raw.source);
        if (record === undefined) record = this.add(raw.source, now);
        else this.activity.touch(record, now);
        // A level, not a repaired copy of the packet: a dropped packet costs no allocation.
        const level = normalisedLevel(raw, this.onInvalid);
        if (this.selection.packet(record, level)) this.outputs.forward(record, level, raw.data);
        return;
      }
      case 'source-added':
        if (this.records.has(event.source)) {
          reportDuplicate(this.onInvalid, event);
          return;
        }
        this.add(event.source, now);
        return;
      case 'source-removed': {
        const record = this.records.get(event.source);
        if (record === undefined) {
          reportUnknown(this.onInvalid, event);
          return;
        }
        this.forget(record);
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
    }
  }

  end(now: number): void {
    this.expire(now);
    this.outputs.releaseAll();
    this.records.clear();
    this.activity.clear();
    this.selection.clear();
  }

  private add(source: S, now: number): SourceRecord<S> {
    const record = new SourceRecord(source);
    this.records.set(source, record);
    this.activity.append(record, now);
    this.selection.add(record);
    return record;
  }

  private forget(record: SourceRecord<S>): void {
    this.records.delete(record.source);
    this.activity.remove(record);
    this.selection.remove(record);
  }
}
