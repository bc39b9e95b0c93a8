import type { SourceEvent } from '../../events/events.js';
import { TakeoverIndex } from '../../data/takeoverIndex.js';
import { releaseAll } from '../../rules/end.js';
import { SourceRegistry } from '../../rules/sourceRegistry.js';
import type { AudioMixerConfig } from '../audioMixerCore.js';
import { TimedStage } from '../timedStage.js';
import { checkOutputs } from '../../options/checks.js';
import type { CopyHost, CopyView } from './copyView.js';
import { isDeltaView, type DeltaHost, type DeltaView } from './deltaView.js';
import type { RoomListener } from './listener.js';
import { RoomSource } from './roomSource.js';
import { SharedView } from './sharedView.js';

/**
 * The room's views, and their reconciliation: the first of the three parts of {@link RoomMixerCore} (`RoomViews`
 * keeps the views and reconciles them after each event, `RoomListeners` lets listeners join, follow and leave and
 * forks their views, `RoomMixerCore` handles the room's events). docs/room.md, "The room's design", has the picture.
 *
 * Each listener is in one of three places: *aligned* (it receives the shared view's events themselves), or it has
 * a view of its own, a {@link CopyView} or a {@link DeltaView}. After each event the room *reconciles*: the entries
 * whose source moved during the event note whether they agree with the shared view again, a delta entry that does
 * is dropped (its source is implicit there again), and a listener whose view has become the shared view minus what
 * it does not hear is *realigned*: its view is dropped, and it receives the shared view's events from the next event
 * on.
 */
export abstract class RoomViews<S, D> extends TimedStage<SourceEvent<S, D>, S, RoomSource<S, D>> {
  /**
   * The shared view: `AudioMixerCore`'s selection and outputs on the room's slots.
   * @internal
   */
  readonly shared: SharedView<S, D>;
  /**
   * Listeners that receive the shared view's events; replaced, never changed in place, so a fan-out is stable.
   * @internal
   */
  protected aligned: RoomListener<S, D>[] = [];
  /**
   * The views of listeners that follow a set.
   * @internal
   */
  protected copies: CopyView<S, D>[] = [];
  /**
   * The views of listeners that follow nothing, kept as their difference from the shared view.
   * @internal
   */
  protected deltas: DeltaView<S, D>[] = [];
  /**
   * The delta views by the level at which a packet can take over one of their selections.
   * @internal
   */
  protected readonly takeovers = new TakeoverIndex<DeltaView<S, D>>();
  /**
   * What delta views know of the room.
   * @internal
   */
  protected readonly deltaHost: DeltaHost<S, D>;
  /**
   * What copy views know of the room.
   * @internal
   */
  protected readonly copyHost: CopyHost<S, D>;
  /** Delta views that may have become the shared view again during the current event. */
  private dirtyDeltas: DeltaView<S, D>[] = [];
  private mark = 0;
  /** Records whose stamp moved during the current event, in any view. */
  private touchedRecords: RoomSource<S, D>[] = [];
  /** Whether a view may have become the shared view again during the current event. */
  private recheck = false;

  /** @throws RangeError when `outputs` is not an integer 1 .. {@link MAX_OUTPUTS}. */
  constructor(protected readonly config: AudioMixerConfig) {
    // Its clock is the one source of stamps for the shared view and every view: equal work stamps equally.
    super(new SourceRegistry<S, RoomSource<S, D>>(config.timeout, config.onInvalid, (s) => new RoomSource<S, D>(s)));
    checkOutputs(config.outputs);
    this.shared = new SharedView<S, D>(
      config,
      this.sources,
      this.clock,
      {
        moved: (record) => {
          this.touched(record);
          this.recheck = true; // a pin or unpin: views may have become the shared view again
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
    this.deltaHost = {
      shared: this.shared,
      moved: (view) => {
        this.moved(view);
      },
    };
    this.copyHost = {
      shared: this.shared,
      touched: (record, pinsMoved) => {
        this.touched(record, pinsMoved);
      },
      unlinked: (record) => {
        this.unlinked(record);
      },
    };
  }

  /** How many listeners have a view of their own. */
  get divergedCount(): number {
    return this.copies.length + this.deltas.length;
  }

  /**
   * Every aligned listener that does not hear `record`, about to be pinned, gets a view of its own.
   * @internal
   */
  protected abstract forkThoseNotHearing(record: RoomSource<S, D>): void;

  /**
   * `record` has no copy entries left.
   * @internal
   */
  protected abstract unlinked(record: RoomSource<S, D>): void;

  /**
   * `record`'s stamp moved in some view (and its pins, when `pinsMoved`): it is reconciled after the event.
   * @internal
   */
  protected touched(record: RoomSource<S, D>, pinsMoved = false): void {
    if (record.copies !== null || record.deltas !== null) this.touchedRecords.push(record);
    if (pinsMoved) this.recheck = true;
  }

  /**
   * After each event: the entries whose source moved note whether they are the same as the shared view's again (a
   * delta entry that is is dropped), and a listener whose view has become the shared view minus what it does not
   * hear is realigned.
   * @internal
   */
  protected reconcile(): void {
    const touched = this.touchedRecords;
    if (touched.length !== 0) {
      this.touchedRecords = [];
      for (const record of touched) {
        const copies = record.copies;
        if (copies !== null) for (const entry of copies) if (entry.view.sync(entry)) this.recheck = true;
        const deltas = record.deltas;
        if (deltas !== null) {
          // Backwards: dropping an entry takes it out of this list.
          for (let index = deltas.length - 1; index >= 0; index--) {
            const entry = deltas[index]!;
            this.moved(entry.view);
            entry.view.dropIfAlike(entry);
          }
        }
      }
    }
    this.realignDeltas();
    if (!this.recheck) return;
    this.recheck = false;
    const copies = this.copies;
    for (const view of copies) {
      if (view.unsynced === 0 && view.awaiting.size === 0 && this.isShared(view)) this.realign(view.listener);
    }
  }

  /** A delta view that has become the shared view minus the candidates it does not hear is realigned. */
  private realignDeltas(): void {
    if (this.recheck) for (const view of this.deltas) this.moved(view);
    const dirty = this.dirtyDeltas;
    if (dirty.length === 0) return;
    this.dirtyDeltas = [];
    const held = (this.config.minHold ?? 0) > 0;
    for (const view of dirty) {
      view.dirty = false;
      if (view.isShared(this.shared, held)) this.realign(view.listener);
    }
  }

  /**
   * `view`'s selections or their levels moved: it is put where its takeover level now belongs, and checked for
   * alignment after the event.
   * @internal
   */
  protected moved(view: DeltaView<S, D>): void {
    if (!view.live) return;
    this.takeovers.update(view);
    if (view.dirty) return;
    view.dirty = true;
    this.dirtyDeltas.push(view);
  }

  /**
   * Marks the delta views that have an entry for `record`, with a mark no view had: O(its entries).
   * @internal
   */
  protected markViewsWithEntry(record: RoomSource<S, D>): number {
    const mark = ++this.mark;
    const deltas = record.deltas;
    if (deltas !== null) for (const entry of deltas) entry.view.mark = mark;
    return mark;
  }

  /** Whether `view` is exactly the shared view minus the sources its listener does not hear, none of them pinned. */
  private isShared(view: CopyView<S, D>): boolean {
    const listener = view.listener;
    if (listener.hearing.following) return false; // a follower keeps the view of the few sources it follows
    for (let output = 0; output < this.config.outputs; output++) {
      if (view.recordAt(output) !== this.shared.at(output)) return false;
    }
    let heard = this.sources.size;
    for (const source of listener.hearing.exclude) if (this.sources.slotOf(source) >= 0) heard -= 1;
    return view.entries === heard;
  }

  /** `listener`'s view has become the shared view: it is dropped, and the listener receives the shared view's events. */
  private realign(listener: RoomListener<S, D>): void {
    this.withdraw(listener);
    this.aligned = [...this.aligned, listener];
  }

  /**
   * Takes `listener` out of the fan-out it is in: the aligned listeners, or its own view (dropped).
   * @internal
   */
  protected withdraw(listener: RoomListener<S, D>): void {
    const view = listener.view;
    if (view === null) {
      this.aligned = this.aligned.filter((other) => other !== listener);
      return;
    }
    listener.view = null;
    if (isDeltaView(view)) {
      view.live = false;
      view.drop();
      this.takeovers.remove(view);
      this.deltas = this.deltas.filter((other) => other !== view);
      return;
    }
    view.drop();
    this.copies = this.copies.filter((other) => other !== view);
  }

  /**
   * The end (rule 7): every view releases its outputs, the shared view's first; then every view is forgotten.
   * @internal
   */
  protected releaseViews(): void {
    releaseAll(this.shared.outputs);
    for (const view of this.deltas) releaseAll(view.outputs);
    for (const view of this.copies) releaseAll(view.outputs);
    for (const view of this.deltas) view.drop();
    for (const view of this.copies) view.drop();
    this.deltas = [];
    this.dirtyDeltas = [];
    this.takeovers.clear();
    this.shared.selection.clear();
    this.aligned = [];
    this.copies = [];
    this.touchedRecords = [];
  }
}
