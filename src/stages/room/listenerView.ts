import { ActivityList } from '../../data/activityList.js';
import type { DeltaEntry } from './deltaView.js';
import type { OutputEvent } from '../../events/events.js';
import { Outputs } from '../../rules/pinning.js';
import { Selection } from '../../rules/selection.js';
import type { StampClock } from '../../rules/ties.js';
import { SourceRecord } from '../../data/sourceRecord.js';
import type { SharedView } from './sharedView.js';

/**
 * A source as the room knows it: its slot in the shared view ({@link SharedView} keeps its level, stamp, selection
 * and output there), when it was last active and last pinned, and its entries in the listeners' own views.
 */
export class RoomSource<S, D> extends SourceRecord<S> {
  /** Cleared when the room forgets it: its slot may go to another source from then on. */
  known = true;
  /** Its entries in diverged listener views, or `null` when no such view knows it. */
  views: ViewEntry<S, D>[] | null = null;
  /** Views that hear it but do not know it yet: they learn it at its next event. */
  awaiting: ListenerView<S, D>[] | null = null;
  /** Its entries in delta views ({@link DeltaView}), or `null` when it differs from the shared view in none. */
  deltas: DeltaEntry<S, D>[] | null = null;
}

/** A source in one listener's own view: the same fields as the shared view's record, and where it belongs. */
export class ViewEntry<S, D, V = ListenerView<S, D>> extends SourceRecord<S> {
  /** Whether it is still in its view. */
  live = true;
  /** Whether its level, stamp and last activity are those of the shared view's record. */
  synced = false;

  constructor(
    source: S,
    /** The room's record of its source; a newer one once the room forgot the source and met it again. */
    public record: RoomSource<S, D>,
    readonly view: V,
  ) {
    super(source);
  }
}

/** What a view needs of the room it belongs to. */
export interface ViewHost<S, D> {
  /** The shared view, which a view is a copy of. */
  readonly shared: SharedView<S, D>;
  /** `record` has no view entries left. */
  detached(record: RoomSource<S, D>): void;
  /** `record`'s entry in a view was selected or deselected: its stamp moved. */
  touched(record: RoomSource<S, D>, pinsMoved: boolean): void;
}

/** The options of a listener view, already checked. */
export interface ListenerViewConfig {
  readonly outputs: number;
  readonly threshold: number;
  readonly timeout: number;
  readonly minHold?: number | undefined;
}

/**
 * One listener's own view of a room: exactly `AudioMixerCore` fed with the room's events of the sources the listener
 * hears, except that it finds a source's entry through the room's record instead of a map of its own. A listener
 * has one once its view differs from the room's shared view; until then it receives the shared view's events.
 */
export class ListenerView<S, D> {
  readonly activity = new ActivityList<ViewEntry<S, D>>();
  readonly selection: Selection<ViewEntry<S, D>>;
  readonly outputs: Outputs<S, D, ViewEntry<S, D>>;
  /** Sources this view hears but does not know yet. */
  readonly awaiting = new Set<RoomSource<S, D>>();
  /** While set, nothing is emitted (a view being built for a listener that has not seen its pins yet). */
  silent = false;
  /** How many sources it knows. */
  count = 0;
  /** How many of them differ from the shared view's record (level, stamp or last activity). */
  unsynced = 0;

  constructor(
    private readonly config: ListenerViewConfig,
    private readonly host: ViewHost<S, D>,
    emit: (event: OutputEvent<S, D>) => void,
    stamps: StampClock,
  ) {
    const outputs = new Outputs<S, D, ViewEntry<S, D>>(config.outputs, (event) => {
      if (!this.silent) emit(event);
    });
    this.outputs = outputs;
    this.selection = new Selection<ViewEntry<S, D>>(
      config.outputs,
      config.threshold,
      {
        selected: (entry) => {
          host.touched(entry.record, true);
          return outputs.pin(entry);
        },
        deselected: (entry) => {
          host.touched(entry.record, true);
          outputs.unpin(entry);
        },
      },
      stamps,
      config.minHold ?? 0,
    );
  }

  /** The entry of `record` in this view, if any. */
  entryOf(record: RoomSource<S, D>): ViewEntry<S, D> | undefined {
    const views = record.views;
    if (views === null) return undefined;
    for (const entry of views) if (entry.view === this) return entry;
    return undefined;
  }

  /** A source joins the view at `now` (rule 1). */
  add(record: RoomSource<S, D>, now: number): ViewEntry<S, D> {
    const entry = this.attach(record, now);
    this.selection.add(entry);
    return entry;
  }

  /** Takes over `record`'s state in the shared view as it is (for a copy of that view); selection is left to the caller. */
  adopt(record: RoomSource<S, D>): ViewEntry<S, D> {
    const entry = this.attach(record, record.lastActive);
    entry.level = this.host.shared.level(record);
    entry.stamp = this.host.shared.stamp(record);
    entry.pinnedAt = record.pinnedAt;
    this.sync(entry);
    return entry;
  }

  /** A packet of a source in the view (rule 2). */
  packet(entry: ViewEntry<S, D>, level: number, data: D, now: number): void {
    this.activity.touch(entry, now);
    if (this.selection.packet(entry, level)) this.outputs.forward(entry, level, data);
  }

  /** A source leaves the view (rule 3, then rule 4). */
  remove(entry: ViewEntry<S, D>): void {
    this.activity.remove(entry);
    this.detach(entry);
    this.selection.remove(entry);
  }

  /** Removes the sources silent for `timeout` ms at `now`, oldest first (rule 5). */
  expireAt(now: number): void {
    this.activity.expireDue(now, this.config.timeout, this.removeDue);
  }

  private readonly removeDue = (due: ViewEntry<S, D>): void => {
    this.remove(due);
  };

  deadline(): number | undefined {
    return this.activity.deadline(this.config.timeout);
  }

  /** Gives every free output to the loudest candidates (rule 4), as a refill right after a copy needs. */
  fill(): void {
    this.selection.fill();
  }

  /** Notes whether `entry` is again the same as the shared view's record; true when the whole view just became so. */
  sync(entry: ViewEntry<S, D>): boolean {
    const record = entry.record;
    const shared = this.host.shared;
    const same =
      record.known &&
      entry.stamp === shared.stamp(record) &&
      entry.level === shared.level(record) &&
      entry.lastActive === record.lastActive &&
      entry.pinnedAt === record.pinnedAt;
    if (same === entry.synced) return false;
    entry.synced = same;
    this.unsynced += same ? -1 : 1;
    return this.unsynced === 0;
  }

  /** Forgets every entry and every wait, telling the room. */
  drop(): void {
    for (let entry = this.activity.oldest; entry !== null;) {
      const newer = entry.newer;
      this.detach(entry);
      entry = newer;
    }
    this.activity.clear();
    this.selection.clear();
    for (const record of this.awaiting) {
      record.awaiting = without(record.awaiting, this);
    }
    this.awaiting.clear();
  }

  private attach(record: RoomSource<S, D>, now: number): ViewEntry<S, D> {
    const entry = new ViewEntry<S, D>(record.source, record, this);
    this.count += 1;
    this.unsynced += 1;
    this.activity.append(entry, now);
    (record.views ??= []).push(entry);
    return entry;
  }

  private detach(entry: ViewEntry<S, D>): void {
    entry.live = false;
    this.count -= 1;
    if (!entry.synced) this.unsynced -= 1;
    const record = entry.record;
    record.views = without(record.views, entry);
    if (record.views === null) this.host.detached(record);
  }
}

/** `list` without `item`, or `null` when nothing is left. */
export function without<T>(list: T[] | null, item: T): T[] | null {
  if (list === null) return null;
  const index = list.indexOf(item);
  if (index >= 0) list.splice(index, 1);
  return list.length === 0 ? null : list;
}
