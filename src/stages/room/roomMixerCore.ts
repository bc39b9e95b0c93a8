import { releaseAll } from '../../rules/end.js';
import { SharedView } from './sharedView.js';
import type { AudioMixerConfig } from '../audioMixerCore.js';
import type { InvalidHandler, OutputEvent, SourceEvent, SourcePacket } from '../../events/events.js';
import { DeltaView, type DeltaHost } from './deltaView.js';
import { KnownSources } from '../../rules/joining.js';
import { normalisedLevel } from '../../rules/levelNormalisation.js';
import { ListenerView, RoomSource, type ViewEntry, without } from './listenerView.js';
import type { Outputs } from '../../rules/pinning.js';
import { StampClock } from '../../rules/ties.js';
import { TakeoverIndex } from '../../data/takeoverIndex.js';
import { TimedStage } from '../timedStage.js';
import { reportDuplicate, reportInvalidEvent, reportUnknown, typeOf } from '../../events/reports.js';

/**
 * Whom a listener hears: every source but `exclude`, and (when `following`) only those in `followed`.
 *
 * @group State machines
 */
export interface Hearing<S> {
  readonly exclude: ReadonlySet<S>;
  /** Whether the listener follows a set of sources; before its first set it hears nothing. */
  readonly following: boolean;
}

/**
 * One listener of a room, as {@link RoomMixerCore.join} returns it.
 *
 * @group State machines
 */
export class RoomListener<S, D> {
  /** Cleared as soon as the listener leaves or ends: nothing more reaches it. */
  active = true;
  /**
   * Its own view, once it differs from the shared view; `null` while it receives the shared view's events.
   * @internal
   */
  view: ListenerView<S, D> | null = null;
  /**
   * Its own view kept as the difference from the shared view (a listener that follows nothing), or `null`.
   * @internal
   */
  delta: DeltaView<S, D> | null = null;
  followed: ReadonlySet<S> = new Set<S>();

  constructor(
    readonly hearing: Hearing<S>,
    readonly emit: (event: OutputEvent<S, D>) => void,
  ) {}

  hears(source: S): boolean {
    return !this.hearing.exclude.has(source) && (!this.hearing.following || this.followed.has(source));
  }
}

/**
 * A whole room mixed for many listeners at once, sans-IO: the room's source events in, each listener's output events
 * out through the `emit` it joined with. What `mixRoom` runs.
 *
 * **The shared view** is exactly an {@link AudioMixerCore} over the room's events; invalid input is reported once, by
 * it. **A listener's view** is `AudioMixerCore` fed only the events of the sources the listener hears (not in its
 * `exclude`, and in its latest `follow` set if it has one), starting from a copy of the shared view.
 *
 * Shared work: a listener whose view is the shared view minus sources it does not hear that are not pinned (the
 * usual case: in a room where everyone excludes their own microphone, everyone whose microphone is not pinned) is
 * *aligned*: it costs nothing per packet, and receives the shared view's event objects themselves. The moment the
 * shared view is about to pin a source such a listener does not hear, the listener diverges: it gets its own view,
 * taken from the shared view right then. A listener that follows nothing gets a `DeltaView`: only what differs
 * from the shared view (O(outputs) to make), which a packet of a source it has no entry for reaches only when its
 * level reaches the view's takeover level (`TakeoverIndex`: one comparison for all views). A listener that
 * follows a set gets a `ListenerView`: a copy of what it hears of the shared view (O(sources it hears)), fed the
 * events it hears.
 *
 * Re-entrancy: as for every {@link Stage}; joins, follow changes and leaves are queued behind the event being handled
 * too (a leave stops delivery at once).
 *
 * @group State machines
 */
export class RoomMixerCore<S = string, D = Uint8Array> extends TimedStage<
  SourceEvent<S, D>,
  RoomSource<S, D>,
  KnownSources<S, RoomSource<S, D>>
> {
  /**
   * The shared view: `AudioMixerCore`'s selection and outputs on the room's slots.
   * @internal
   */
  readonly shared: SharedView<S, D>;
  /** What delta views know of the room. */
  private readonly host: DeltaHost<S, D>;
  /** The views of listeners that follow nothing, kept as their difference from the shared view. */
  private deltas: DeltaView<S, D>[] = [];
  private readonly takeovers = new TakeoverIndex<DeltaView<S, D>>();
  /** Delta views that may have become the shared view again during the current event. */
  private dirtyDeltas: DeltaView<S, D>[] = [];
  private mark = 0;
  private readonly onInvalid: InvalidHandler | undefined;
  /** Listeners that receive the shared view's events; replaced, never changed in place, so a fan-out is stable. */
  private aligned: RoomListener<S, D>[] = [];
  private diverged: ListenerView<S, D>[] = [];
  /** Sources the shared view forgot (timed out) that a view still knows, having seen them later. */
  private readonly orphans = new Map<S, RoomSource<S, D>>();

  /** One source of stamps for the shared view and every view: equal work stamps equally. */
  private readonly stamps = new StampClock();
  /** Records whose stamp moved during the current event, in any view. */
  private touchedRecords: RoomSource<S, D>[] = [];
  /** Whether a view may have become the shared view again during the current event. */
  private recheck = false;
  /** The listener of each diverged view. */
  private readonly owners = new Map<ListenerView<S, D>, RoomListener<S, D>>();

  constructor(private readonly config: AudioMixerConfig) {
    super(new KnownSources<S, RoomSource<S, D>>(config.timeout, config.onInvalid, (s) => new RoomSource<S, D>(s)));
    this.onInvalid = config.onInvalid;
    this.shared = new SharedView<S, D>(
      config,
      this.known,
      this.stamps,
      {
        moved: (record) => {
          this.touched(record);
          this.pinsMoved();
        },
        pinning: (record) => {
          this.forkThoseNotHearing(record);
          // Pinned in the shared view, it differs from it in every delta view that hears it.
          const mark = this.markViewsWithEntry(record);
          for (const view of this.deltas) if (view.mark !== mark && view.hears(record.source)) view.candidate(record);
        },
      },
      (event) => {
        const aligned = this.aligned;
        for (const listener of aligned) if (listener.active) listener.emit(event);
      },
    );
    this.host = {
      shared: this.shared,
      moved: (view) => {
        this.moved(view);
      },
    };
  }

  /** How many listeners have a view of their own. */
  get divergedCount(): number {
    return this.diverged.length + this.deltas.length;
  }

  /**
   * A listener joins at `now`: it receives at once one `output-pin` per pinned output of its view (a copy of the
   * shared view without the sources it does not hear), in ascending order, then its view's events.
   */
  join(
    hearing: Hearing<S>,
    emit: (event: OutputEvent<S, D>) => void,
    now: number,
    followed: ReadonlySet<S> = new Set<S>(),
  ): RoomListener<S, D> {
    const listener = new RoomListener<S, D>(hearing, emit);
    listener.followed = followed;
    this.serial(() => {
      this.stamps.begin();
      this.joinNow(listener, now);
      this.settle();
    });
    return listener;
  }

  /** The listener's new `follow` set, at `now`: sources that left it are forgotten, those that entered it are known from their next event on. */
  follow(listener: RoomListener<S, D>, followed: ReadonlySet<S>, now: number): void {
    this.serial(() => {
      if (!listener.active) return;
      this.stamps.begin();
      this.followNow(listener, followed, now);
      this.settle();
    });
  }

  /** The listener leaves: nothing more reaches it. */
  leave(listener: RoomListener<S, D>): void {
    listener.active = false;
    this.serial(() => {
      this.dropListener(listener);
    });
  }

  /** The listener's own input failed at `now`: it gets what is due, then the unpins of its outputs in ascending order. */
  endListener(listener: RoomListener<S, D>, now: number): void {
    this.serial(() => {
      if (!listener.active) return;
      this.stamps.begin();
      const time = this.known.now(now);
      this.setTime(time);
      const view = listener.view;
      if (view !== null) {
        view.expireAt(time);
        releaseAll(view.outputs);
      } else {
        // What is due goes first, for the whole room: the timer would do the same at this instant.
        this.expireDue(time);
        const delta = listener.delta;
        if (delta !== null) releaseAll(delta.outputs);
        else announce(listener, this.shared.outputs, 'output-unpin');
      }
      listener.active = false;
      this.dropListener(listener);
      this.settle();
    });
  }

  protected override handle(event: SourceEvent<S, D>, time: number): void {
    this.stamps.begin();
    super.handle(event, time);
    this.settle();
  }

  protected handleAt(event: SourceEvent<S, D>, now: number): void {
    // The event's own touches come after every stamp of the timeouts, in every view alike: a packet stamps its
    // source the same in the shared view and in a delta view, however differently their timeouts went.
    this.stamps.begin();
    switch (typeOf(event)) {
      case 'source-pkt': {
        const raw = event as SourcePacket<S, D>;
        let record = this.known.get(raw.source);
        if (record === undefined) {
          record = this.admit(raw.source, now);
        } else {
          this.known.touch(record, now);
          if (record.awaiting !== null) this.meetAwaiting(record, now);
        }
        const level = normalisedLevel(raw, this.onInvalid);
        if (this.shared.selection.packet(record.slot, level)) this.shared.outputs.forward(record.slot, level, raw.data);
        const deltas = record.deltas;
        if (deltas !== null) {
          for (const entry of deltas) entry.view.packet(entry, level, raw.data);
          this.touched(record);
        }
        if (this.takeovers.reaches(level) && !this.shared.isSelected(record)) {
          this.implicitPacket(record, level, raw.data);
        }
        const views = record.views;
        if (views !== null) {
          // A fork during this packet never adds an entry of its source; the list is stable here.
          for (const entry of views) entry.view.packet(entry, level, raw.data, now);
          this.touched(record);
        }
        return;
      }
      case 'source-added': {
        const record = this.known.get(event.source);
        if (record === undefined) {
          this.admit(event.source, now);
          return;
        }
        reportDuplicate(this.onInvalid, event);
        if (record.awaiting !== null) {
          this.meetAwaiting(record, now);
          this.touched(record);
        }
        return;
      }
      case 'source-removed': {
        const record = this.known.get(event.source);
        if (record === undefined) {
          reportUnknown(this.onInvalid, event);
          const orphan = this.orphans.get(event.source);
          if (orphan !== undefined) this.removeFromViews(orphan);
          return;
        }
        this.known.dismiss(event);
        this.clearAwaiting(record);
        this.shared.selection.remove(record.slot);
        this.removeFromDeltas(record);
        this.removeFromViews(record);
        return;
      }
      default:
        reportInvalidEvent(this.onInvalid, event, 'a source event');
    }
  }

  override nextDeadline(): number | undefined {
    let deadline = super.nextDeadline();
    for (const view of this.diverged) {
      const due = view.deadline();
      if (due !== undefined && (deadline === undefined || due < deadline)) deadline = due;
    }
    return deadline;
  }

  protected override onExpire(time: number): void {
    this.stamps.begin();
    super.onExpire(time);
    this.settle();
  }

  /** Tells every selection the time of the event (the minimum hold reads it). */
  private setTime(now: number): void {
    this.stamps.now = now; // the clock every view's selection reads
  }

  protected override atTime(now: number): void {
    this.setTime(now);
  }

  protected override onEnd(time: number): void {
    this.stamps.begin();
    super.onEnd(time);
  }

  protected override release(): void {
    releaseAll(this.shared.outputs);
    for (const view of this.deltas) releaseAll(view.outputs);
    for (const view of this.diverged) releaseAll(view.outputs);
    for (const view of this.deltas) view.drop();
    for (const view of this.diverged) view.drop();
    this.deltas = [];
    this.dirtyDeltas = [];
    this.takeovers.clear();
    this.shared.selection.clear();
    this.aligned = [];
    this.diverged = [];
    this.owners.clear();
    this.orphans.clear();
    this.touchedRecords = [];
  }

  /** @internal */
  touched(record: RoomSource<S, D>, pinsMoved = false): void {
    if (record.views !== null || record.deltas !== null) this.touchedRecords.push(record);
    if (pinsMoved) this.recheck = true;
  }

  /** A pin or unpin in some view: views may have become the shared view again. */
  private pinsMoved(): void {
    this.recheck = true;
  }

  /**
   * After each event: views whose sources moved note whether they are the same as the shared view again, and a
   * listener whose view has become the shared view minus its unheard candidates is aligned again: its view is
   * dropped, and it receives the shared view's events from the next event on.
   */
  private settle(): void {
    const touched = this.touchedRecords;
    if (touched.length !== 0) {
      this.touchedRecords = [];
      for (const record of touched) {
        const views = record.views;
        if (views !== null) for (const entry of views) if (entry.view.sync(entry)) this.recheck = true;
        const deltas = record.deltas;
        if (deltas !== null) {
          // Backwards: settling an entry may take it out of this list.
          for (let index = deltas.length - 1; index >= 0; index--) {
            const entry = deltas[index]!;
            this.moved(entry.view);
            entry.view.settle(entry);
          }
        }
      }
    }
    this.settleDeltas();
    if (!this.recheck) return;
    this.recheck = false;
    const diverged = this.diverged;
    for (const view of diverged) {
      if (view.unsynced === 0 && view.awaiting.size === 0 && this.isShared(view)) this.realign(this.owner(view));
    }
  }

  /** A delta view that has become the shared view minus the candidates it does not hear is aligned again. */
  private settleDeltas(): void {
    if (this.recheck) for (const view of this.deltas) this.moved(view);
    const dirty = this.dirtyDeltas;
    if (dirty.length === 0) return;
    this.dirtyDeltas = [];
    const held = (this.config.minHold ?? 0) > 0;
    for (const view of dirty) {
      view.dirty = false;
      if (view.isShared(this.shared, held)) this.realign(this.deltaOwner(view));
    }
  }

  /**
   * `view`'s selections or their levels moved: it is put where its takeover level now belongs, and checked for
   * alignment after the event.
   */
  private moved(view: DeltaView<S, D>): void {
    if (!view.live) return;
    this.takeovers.update(view);
    if (view.dirty) return;
    view.dirty = true;
    this.dirtyDeltas.push(view);
  }

  /** Marks the delta views that have an entry for `record`, with a mark no view had: O(its entries). */
  private markViewsWithEntry(record: RoomSource<S, D>): number {
    const mark = ++this.mark;
    const deltas = record.deltas;
    if (deltas !== null) for (const entry of deltas) entry.view.mark = mark;
    return mark;
  }

  /** A packet of a source that is a candidate in the shared view, loud enough to take over in some delta views. */
  private implicitPacket(record: RoomSource<S, D>, level: number, data: D): void {
    const mark = this.markViewsWithEntry(record);
    for (const view of this.takeovers.reachedBy(level)) {
      if (view.mark === mark || !view.hears(record.source)) continue;
      // Implicit there until now: it has the shared view's level and stamp, this packet's included.
      view.packet(view.candidate(record), level, data);
      this.touched(record);
    }
  }

  /** Whether `view` is exactly the shared view minus the sources its listener does not hear, none of them pinned. */
  private isShared(view: ListenerView<S, D>): boolean {
    const listener = this.owner(view);
    if (listener.hearing.following) return false; // a follower keeps the view of the few sources it follows
    for (let output = 0; output < this.config.outputs; output++) {
      if (view.recordAt(output) !== this.shared.at(output)) return false;
    }
    let heard = this.known.size;
    for (const source of listener.hearing.exclude) if (this.known.get(source) !== undefined) heard -= 1;
    return view.count === heard;
  }

  private realign(listener: RoomListener<S, D>): void {
    this.dropListener(listener);
    this.aligned = [...this.aligned, listener];
  }

  /** Sources the shared view timed out at this instant that full views still know. */
  private expiredWithViews: RoomSource<S, D>[] = [];

  /** @internal */
  protected timedOut(due: RoomSource<S, D>): void {
    this.clearAwaiting(due);
    this.shared.selection.remove(due.slot);
    this.removeFromDeltas(due);
    if (due.views !== null) this.expiredWithViews.push(due);
  }

  protected override expired(now: number): void {
    for (const view of this.diverged) view.expireAt(now);
    const expired = this.expiredWithViews;
    if (expired.length === 0) return;
    this.expiredWithViews = [];
    // A view that saw a source later than the shared view did keeps it: the room remembers it for that view.
    for (const record of expired) if (record.views !== null) this.orphans.set(record.source, record);
  }

  /** A source the shared view does not know: it joins the shared view and every diverged view that hears it. */
  private admit(source: S, now: number): RoomSource<S, D> {
    const record = this.known.add(source, now);
    const orphan = this.orphans.get(source);
    if (orphan !== undefined) {
      // Views that still know it keep their entries, now under the new record.
      this.orphans.delete(source);
      record.views = orphan.views;
      orphan.views = null;
      if (record.views !== null) for (const entry of record.views) entry.record = record;
    }
    this.shared.selection.add(record.slot);
    // A delta view with a free output selects it (an implicit source is a candidate, which it cannot be there).
    if (this.takeovers.reaches(-Infinity)) {
      for (const view of [...this.takeovers.reachedBy(-Infinity)]) if (view.hears(source)) view.add(record);
    }
    const diverged = this.diverged;
    for (const view of diverged) {
      if (this.owner(view).hears(source) && view.entryOf(record) === undefined) view.add(record, now);
    }
    return record;
  }

  private meetAwaiting(record: RoomSource<S, D>, now: number): void {
    const awaiting = record.awaiting!;
    record.awaiting = null;
    for (const view of awaiting) {
      view.awaiting.delete(record);
      if (view.entryOf(record) === undefined) view.add(record, now);
    }
  }

  private clearAwaiting(record: RoomSource<S, D>): void {
    const awaiting = record.awaiting;
    if (awaiting === null) return;
    record.awaiting = null;
    for (const view of awaiting) view.awaiting.delete(record);
  }

  private removeFromDeltas(record: RoomSource<S, D>): void {
    const deltas = record.deltas;
    if (deltas === null) return;
    for (const entry of [...deltas]) entry.view.remove(entry);
  }

  private removeFromViews(record: RoomSource<S, D>): void {
    const views = record.views;
    if (views === null) return;
    for (const entry of [...views]) entry.view.remove(entry);
  }

  /** Every aligned listener that does not hear `record` gets a view of its own, copied before the pin. */
  private forkThoseNotHearing(record: RoomSource<S, D>): void {
    const aligned = this.aligned;
    for (const listener of aligned) {
      if (!listener.active || listener.hears(record.source)) continue;
      const view = listener.hearing.following ? this.fork(listener, false, record) : this.forkDelta(listener, false);
      // A removal or timeout freed an output that the shared view is refilling: this view refills its own way.
      view.fill();
    }
  }

  /**
   * Gives `listener`, which follows nothing, a delta view: a copy of the shared view's selections as they are now
   * (those it does not hear left out unless `keepUnheardPinned`). O(outputs): every candidate stays implicit.
   */
  private forkDelta(listener: RoomListener<S, D>, keepUnheardPinned: boolean): DeltaView<S, D> {
    const view: DeltaView<S, D> = new DeltaView<S, D>(
      this.config,
      this.host,
      (source) => listener.hears(source),
      (event) => {
        if (listener.active && !view.silent) listener.emit(event);
      },
      this.stamps,
    );
    view.selection.continueFrom(this.shared.selection);
    for (let output = 0; output < this.config.outputs; output++) {
      const record = this.shared.at(output);
      if (record !== null && (keepUnheardPinned || listener.hears(record.source))) view.copySelected(record);
    }
    listener.delta = view;
    view.owner = listener;
    this.aligned = this.aligned.filter((other) => other !== listener);
    this.deltas = [...this.deltas, view];
    this.moved(view);
    return view;
  }

  /**
   * Gives `listener` a view of its own: a copy of the shared view as it is now with the sources the listener does
   * not hear left out (kept only if pinned and `keepUnheardPinned`), and `pinning` (the source being pinned right
   * now, if any: it is neither selected nor a candidate yet). O(sources), one record per source copied.
   */
  private fork(
    listener: RoomListener<S, D>,
    keepUnheardPinned: boolean,
    pinning: RoomSource<S, D> | null = null,
  ): ListenerView<S, D> {
    const view = new ListenerView<S, D>(
      this.config,
      this,
      (event) => {
        if (listener.active) listener.emit(event);
      },
      this.stamps,
    );
    const shared = this.shared;
    view.selection.continueFrom(shared.selection);
    view.selection.now = shared.selection.now;
    const candidates: ViewEntry<S, D>[] = [];
    for (const record of this.known.byActivity()) {
      if (record === pinning) continue;
      const pinned = shared.isSelected(record);
      if (!(listener.hears(record.source) || (keepUnheardPinned && pinned))) continue;
      const entry = view.adopt(record);
      if (pinned) view.copySelected(entry, shared.slots.output(record.slot), shared.selectedAt(record));
      else candidates.push(entry);
    }
    view.copyCandidates(candidates);
    listener.view = view;
    this.owners.set(view, listener);
    this.aligned = this.aligned.filter((other) => other !== listener);
    this.diverged = [...this.diverged, view];
    return view;
  }

  private joinNow(listener: RoomListener<S, D>, time: number): void {
    if (!listener.active) return;
    const now = this.known.now(time);
    this.setTime(now);
    const unheard: RoomSource<S, D>[] = [];
    for (let output = 0; output < this.config.outputs; output++) {
      const record = this.shared.at(output);
      if (record !== null && !listener.hears(record.source)) unheard.push(record);
    }
    if (unheard.length !== 0 && !listener.hearing.following) {
      // What is due goes first, for the whole room (the timer would do it at this instant): the copy is of what is left.
      this.expireDue(now);
      unheard.length = 0;
      for (let output = 0; output < this.config.outputs; output++) {
        const record = this.shared.at(output);
        if (record !== null && !listener.hears(record.source)) unheard.push(record);
      }
    }
    if (unheard.length === 0) {
      this.aligned = [...this.aligned, listener];
      announce(listener, this.shared.outputs, 'output-pin');
      return;
    }
    // Its view is the shared view without the sources it does not hear: built silently, then announced.
    if (!listener.hearing.following) {
      const delta = this.forkDelta(listener, true);
      delta.silent = true;
      for (const record of unheard) {
        const entry = delta.entryOf(record);
        if (entry !== undefined) delta.remove(entry);
      }
      delta.silent = false;
      announce(listener, delta.outputs, 'output-pin');
      return;
    }
    const view = this.fork(listener, true);
    view.silent = true;
    view.expireAt(now);
    for (const record of unheard) {
      const entry = view.entryOf(record);
      if (entry !== undefined) view.remove(entry);
    }
    view.silent = false;
    announce(listener, view.outputs, 'output-pin');
  }

  private followNow(listener: RoomListener<S, D>, followed: ReadonlySet<S>, time: number): void {
    const now = this.known.now(time);
    this.setTime(now);
    const before = listener.followed;
    const heardBefore = (source: S) =>
      !listener.hearing.exclude.has(source) && (!listener.hearing.following || before.has(source));
    const heardAfter = (source: S) => !listener.hearing.exclude.has(source) && followed.has(source);
    let view = listener.view;
    if (view === null) {
      // Still aligned if no source it stops hearing is pinned and no source it starts hearing is known.
      let diverges = false;
      for (let output = 0; output < this.config.outputs && !diverges; output++) {
        const record = this.shared.at(output);
        if (record !== null && !heardAfter(record.source)) diverges = true;
      }
      for (const source of followed) {
        if (diverges) break;
        if (!heardBefore(source) && heardAfter(source) && this.known.get(source) !== undefined) diverges = true;
      }
      if (!diverges) {
        listener.followed = followed;
        return;
      }
      view = this.fork(listener, false);
    }
    listener.followed = followed;
    // Forget the sources that left, as source-removed events at `now` would: what is due first, then the unpinned
    // ones, then the pinned ones in ascending output order, each freed output refilled at once.
    const left: ViewEntry<S, D>[] = [];
    for (const entry of view.entries()) if (!heardAfter(entry.source)) left.push(entry);
    if (left.length > 0) {
      view.expireAt(now);
      const unpinned = left.filter((entry) => entry.live && !view.isSelected(entry));
      const pinned = left
        .filter((entry) => entry.live && view.isSelected(entry))
        .sort((a, b) => view.outputOf(a) - view.outputOf(b));
      for (const entry of [...unpinned, ...pinned]) if (entry.live) view.remove(entry);
    }
    for (const record of [...view.awaiting]) {
      if (!heardAfter(record.source)) {
        view.awaiting.delete(record);
        record.awaiting = without(record.awaiting, view);
      }
    }
    // Sources that entered it are known from their next event on.
    for (const source of followed) {
      if (heardBefore(source) || !heardAfter(source)) continue;
      const record = this.known.get(source);
      if (record === undefined || view.entryOf(record) !== undefined) continue;
      view.await(record);
    }
  }

  private dropListener(listener: RoomListener<S, D>): void {
    const delta = listener.delta;
    if (delta !== null) {
      listener.delta = null;
      delta.live = false;
      delta.drop();
      this.takeovers.remove(delta);
      this.deltas = this.deltas.filter((other) => other !== delta);
      return;
    }
    const view = listener.view;
    if (view === null) {
      this.aligned = this.aligned.filter((other) => other !== listener);
      return;
    }
    listener.view = null;
    view.drop();
    this.owners.delete(view);
    this.diverged = this.diverged.filter((other) => other !== view);
  }

  private deltaOwner(view: DeltaView<S, D>): RoomListener<S, D> {
    return view.owner as RoomListener<S, D>;
  }

  private owner(view: ListenerView<S, D>): RoomListener<S, D> {
    return this.owners.get(view) as RoomListener<S, D>;
  }

  /**
   * A view let go of `record`: a forgotten source with no view left is forgotten for good.
   * @internal
   */
  detached(record: RoomSource<S, D>): void {
    if (this.orphans.get(record.source) === record) this.orphans.delete(record.source);
  }
}

/** Tells `listener` alone, in ascending output order, of each output of `outputs` that is pinned: its pin or unpin. */
function announce<S, D>(
  listener: RoomListener<S, D>,
  outputs: Outputs<S, D>,
  type: 'output-pin' | 'output-unpin',
): void {
  for (let output = 0; output < outputs.count; output++) {
    const slot = outputs.at(output);
    if (slot >= 0) listener.emit({ type, output, source: outputs.sourceOf(slot) });
  }
}
