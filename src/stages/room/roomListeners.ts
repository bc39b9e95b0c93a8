import type { OutputEvent } from '../../events/events.js';
import { releaseAll } from '../../rules/end.js';
import { CopyView, isCopyView, type CopyEntry } from './copyView.js';
import { DeltaView } from './deltaView.js';
import { announce, RoomListener, type Hearing } from './listener.js';
import { type RoomSource, without } from './roomSource.js';
import { RoomViews } from './roomViews.js';

/**
 * Listeners joining, following and leaving, and the forks that give a listener a view of its own: the second of the
 * three parts of {@link RoomMixerCore}.
 *
 * A listener joins aligned when the shared view pins nothing it does not hear; else, and whenever the shared view
 * is about to pin a source an aligned listener does not hear, the listener *forks*: it gets a view of its own, taken
 * from the shared view right then. A listener that follows nothing gets a {@link DeltaView} (O(outputs) to make);
 * one that follows a set gets a {@link CopyView} (O(sources it hears)).
 */
export abstract class RoomListeners<S, D> extends RoomViews<S, D> {
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
      this.clock.begin();
      this.joinNow(listener, now);
      this.reconcile();
    });
    return listener;
  }

  /** The listener's new `follow` set, at `now`: sources that left it are forgotten, those that entered it are known from their next event on. */
  follow(listener: RoomListener<S, D>, followed: ReadonlySet<S>, now: number): void {
    this.serial(() => {
      if (!listener.active) return;
      this.clock.begin();
      this.followNow(listener, followed, now);
      this.reconcile();
    });
  }

  /** The listener leaves: nothing more reaches it. */
  leave(listener: RoomListener<S, D>): void {
    listener.active = false;
    this.serial(() => {
      this.withdraw(listener);
    });
  }

  /** The listener's own input failed at `now`: it gets what is due, then the unpins of its outputs in ascending order. */
  endListener(listener: RoomListener<S, D>, now: number): void {
    this.serial(() => {
      if (!listener.active) return;
      this.clock.begin();
      const time = this.clockAt(now);
      if (isCopyView(listener.view)) listener.view.expireAt(time);
      // What is due goes first, for the whole room: the timer would do the same at this instant. An aligned listener
      // may fork on the way (a refill pins a source it does not hear), so its view is read after.
      else this.expireDue(time);
      const view = listener.view;
      if (view !== null) releaseAll(view.outputs);
      else announce(listener, this.shared.outputs, 'output-unpin');
      listener.active = false;
      this.withdraw(listener);
      this.reconcile();
    });
  }

  /** @internal */
  protected forkThoseNotHearing(record: RoomSource<S, D>): void {
    const aligned = this.aligned;
    for (const listener of aligned) {
      if (!listener.active || listener.hears(record.source)) continue;
      const view = listener.hearing.following
        ? this.forkCopy(listener, false, record)
        : this.forkDelta(listener, false);
      // A removal or timeout freed an output that the shared view is refilling: this view refills its own way.
      view.fill();
    }
  }

  /**
   * Gives `listener`, which follows nothing, a delta view: a copy of the shared view's selections as they are now
   * (those it does not hear left out unless `keepUnheardPinned`). O(outputs): every candidate stays implicit.
   */
  private forkDelta(listener: RoomListener<S, D>, keepUnheardPinned: boolean): DeltaView<S, D> {
    const view = new DeltaView<S, D>(this.config, this.deltaHost, listener, this.clock);
    view.selection.continueFrom(this.shared.selection);
    for (let output = 0; output < this.config.outputs; output++) {
      const record = this.shared.at(output);
      if (record !== null && (keepUnheardPinned || listener.hears(record.source))) view.copySelected(record);
    }
    listener.view = view;
    this.aligned = this.aligned.filter((other) => other !== listener);
    this.deltas = [...this.deltas, view];
    this.moved(view);
    return view;
  }

  /**
   * Gives `listener` a copy view: a copy of the shared view as it is now with the sources the listener does not
   * hear left out (kept only if pinned and `keepUnheardPinned`), and `pinning` (the source being pinned right now,
   * if any: it is neither selected nor a candidate yet). O(sources), one entry per source copied.
   */
  private forkCopy(
    listener: RoomListener<S, D>,
    keepUnheardPinned: boolean,
    pinning: RoomSource<S, D> | null = null,
  ): CopyView<S, D> {
    const view = new CopyView<S, D>(this.config, this.copyHost, listener, this.clock);
    const shared = this.shared;
    view.selection.continueFrom(shared.selection);
    view.selection.now = shared.selection.now;
    const candidates: CopyEntry<S, D>[] = [];
    for (const slot of this.sources.byActivity()) {
      const record = this.sources.recordAt(slot);
      if (record === pinning) continue;
      const pinned = shared.isSelected(record);
      if (!(listener.hears(record.source) || (keepUnheardPinned && pinned))) continue;
      const entry = view.adopt(record);
      if (pinned) view.copySelected(entry, shared.slots.output(record.slot), shared.selectedAt(record));
      else candidates.push(entry);
    }
    view.copyCandidates(candidates);
    listener.view = view;
    this.aligned = this.aligned.filter((other) => other !== listener);
    this.copies = [...this.copies, view];
    return view;
  }

  private joinNow(listener: RoomListener<S, D>, time: number): void {
    if (!listener.active) return;
    const now = this.clockAt(time);
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
    const view = listener.hearing.following ? this.forkCopy(listener, true) : this.forkDelta(listener, true);
    view.silent = true;
    view.expireAt(now);
    for (const record of unheard) view.removeSource(record);
    view.silent = false;
    announce(listener, view.outputs, 'output-pin');
  }

  private followNow(listener: RoomListener<S, D>, followed: ReadonlySet<S>, time: number): void {
    const now = this.clockAt(time);
    const before = listener.followed;
    const heardBefore = (source: S) =>
      !listener.hearing.exclude.has(source) && (!listener.hearing.following || before.has(source));
    const heardAfter = (source: S) => !listener.hearing.exclude.has(source) && followed.has(source);
    // A follower's own view is always a copy view.
    let view = isCopyView(listener.view) ? listener.view : null;
    if (view === null) {
      // Still aligned if no source it stops hearing is pinned and no source it starts hearing is known.
      let diverges = false;
      for (let output = 0; output < this.config.outputs && !diverges; output++) {
        const record = this.shared.at(output);
        if (record !== null && !heardAfter(record.source)) diverges = true;
      }
      for (const source of followed) {
        if (diverges) break;
        if (!heardBefore(source) && heardAfter(source) && this.sources.slotOf(source) >= 0) diverges = true;
      }
      if (!diverges) {
        listener.followed = followed;
        return;
      }
      view = this.forkCopy(listener, false);
    }
    listener.followed = followed;
    // Forget the sources that left, as source-removed events at `now` would: what is due first, then the unpinned
    // ones, then the pinned ones in ascending output order, each freed output refilled at once.
    const left: CopyEntry<S, D>[] = [];
    for (const entry of view.byActivity()) if (!heardAfter(entry.source)) left.push(entry);
    if (left.length > 0) {
      view.expireAt(now);
      const copy = view;
      const unpinned = left.filter((entry) => entry.live && !copy.isSelected(entry));
      const pinned = left
        .filter((entry) => entry.live && copy.isSelected(entry))
        .sort((a, b) => copy.outputOf(a) - copy.outputOf(b));
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
      const record = this.sources.get(source);
      if (record === undefined || view.entryOf(record) !== undefined) continue;
      view.await(record);
    }
  }
}
