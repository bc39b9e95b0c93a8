import type { SourceEvent, SourcePacket } from '../../events/events.js';
import { reportDuplicate, reportInvalidEvent, reportUnknown, typeOf } from '../../events/reports.js';
import { normalisedLevel } from '../../rules/levelNormalisation.js';
import type { RoomSource } from './roomSource.js';
import { RoomListeners } from './roomListeners.js';

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
 * follows a set gets a `CopyView`: a copy of what it hears of the shared view (O(sources it hears)), fed the
 * events it hears. docs/room.md, "The room's design", has the picture.
 *
 * In three parts, one job each: `RoomViews` keeps the views and reconciles them after each event, `RoomListeners`
 * lets listeners join, follow and leave, and this class handles the room's events.
 *
 * Re-entrancy: as for every {@link Stage}; joins, follow changes and leaves are queued behind the event being handled
 * too (a leave stops delivery at once).
 *
 * @group State machines
 */
export class RoomMixerCore<S = string, D = Uint8Array> extends RoomListeners<S, D> {
  /** Sources the shared view forgot (timed out) that a copy view still knows, having seen them later. */
  private readonly orphans = new Map<S, RoomSource<S, D>>();
  /** Sources the shared view timed out at this instant that copy views still know. */
  private expiredWithCopies: RoomSource<S, D>[] = [];

  protected override handle(event: SourceEvent<S, D>, time: number): void {
    this.clock.begin();
    super.handle(event, time);
    this.reconcile();
  }

  protected handleAt(event: SourceEvent<S, D>, now: number): void {
    // The event's own touches come after every stamp of the timeouts, in every view alike: a packet stamps its
    // source the same in the shared view and in a delta view, however differently their timeouts went.
    this.clock.begin();
    const onInvalid = this.config.onInvalid;
    switch (typeOf(event)) {
      case 'source-pkt': {
        const raw = event as SourcePacket<S, D>;
        const slot = this.sources.slotOf(raw.source);
        let record: RoomSource<S, D>;
        if (slot < 0) {
          record = this.admit(raw.source, now);
        } else {
          record = this.sources.recordAt(slot);
          this.sources.touch(slot, now);
          if (record.awaiting !== null) this.meetAwaiting(record, now);
        }
        const level = normalisedLevel(raw, onInvalid);
        if (this.shared.selection.packet(record.slot, level)) this.shared.outputs.forward(record.slot, level, raw.data);
        const deltas = record.deltas;
        if (deltas !== null) {
          for (const entry of deltas) entry.view.packet(entry, level, raw.data);
          this.touched(record);
        }
        if (this.takeovers.reaches(level) && !this.shared.isSelected(record)) {
          this.implicitPacket(record, level, raw.data);
        }
        const copies = record.copies;
        if (copies !== null) {
          // A fork during this packet never adds an entry of its source; the list is stable here.
          for (const entry of copies) entry.view.packet(entry, level, raw.data, now);
          this.touched(record);
        }
        return;
      }
      case 'source-added': {
        const record = this.sources.get(event.source);
        if (record === undefined) {
          this.admit(event.source, now);
          return;
        }
        reportDuplicate(onInvalid, event);
        if (record.awaiting !== null) {
          this.meetAwaiting(record, now);
          this.touched(record);
        }
        return;
      }
      case 'source-removed': {
        const slot = this.sources.remove(event.source);
        if (slot < 0) {
          reportUnknown(onInvalid, event);
          const orphan = this.orphans.get(event.source);
          if (orphan !== undefined) this.removeFromCopies(orphan);
          return;
        }
        const record = this.sources.recordAt(slot); // kept at its slot until the registry releases it
        this.clearAwaiting(record);
        this.shared.selection.remove(record.slot);
        this.removeFromDeltas(record);
        this.removeFromCopies(record);
        return;
      }
      default:
        reportInvalidEvent(onInvalid, event, 'a source event');
    }
  }

  override nextDeadline(): number | undefined {
    let deadline = super.nextDeadline();
    for (const view of this.copies) {
      const due = view.deadline();
      if (due !== undefined && (deadline === undefined || due < deadline)) deadline = due;
    }
    return deadline;
  }

  protected override onExpire(time: number): void {
    this.clock.begin();
    super.onExpire(time);
    this.reconcile();
  }

  protected override onEnd(time: number): void {
    this.clock.begin();
    super.onEnd(time);
  }

  protected override release(): void {
    this.releaseViews();
    this.orphans.clear();
  }

  /**
   * A timed-out source (the skeleton's hook): not API, yet kept in the .d.ts, which needs it.
   * @hidden
   */
  protected timedOut(slot: number): void {
    const due = this.sources.recordAt(slot);
    this.clearAwaiting(due);
    this.shared.selection.remove(due.slot);
    this.removeFromDeltas(due);
    if (due.copies !== null) this.expiredWithCopies.push(due);
  }

  /** What is due in the shared view, then in each copy view (which keeps its own timeouts). */
  protected override expireDue(now: number): void {
    super.expireDue(now);
    for (const view of this.copies) view.expireAt(now);
    const expired = this.expiredWithCopies;
    if (expired.length === 0) return;
    this.expiredWithCopies = [];
    // A copy view that saw a source later than the shared view did keeps it: the room remembers it for that view.
    for (const record of expired) if (record.copies !== null) this.orphans.set(record.source, record);
  }

  /**
   * `record` has no copy entries left: a forgotten source with no view left is forgotten for good.
   * @internal
   */
  protected unlinked(record: RoomSource<S, D>): void {
    if (this.orphans.get(record.source) === record) this.orphans.delete(record.source);
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

  /** A source the shared view does not know: it joins the shared view and every view of its own that hears it. */
  private admit(source: S, now: number): RoomSource<S, D> {
    const record = this.sources.recordAt(this.sources.add(source, now));
    const orphan = this.orphans.get(source);
    if (orphan !== undefined) {
      // Copy views that still know it keep their entries, now under the new record.
      this.orphans.delete(source);
      record.copies = orphan.copies;
      orphan.copies = null;
      if (record.copies !== null) for (const entry of record.copies) entry.record = record;
    }
    this.shared.selection.add(record.slot);
    // A delta view with a free output selects it (an implicit source is a candidate, which it cannot be there).
    if (this.takeovers.reaches(-Infinity)) {
      for (const view of [...this.takeovers.reachedBy(-Infinity)]) if (view.hears(source)) view.add(record);
    }
    const copies = this.copies;
    for (const view of copies) {
      if (view.listener.hears(source) && view.entryOf(record) === undefined) view.add(record, now);
    }
    return record;
  }

  /** The copy views awaiting `record` learn it. */
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

  /** `record`'s source leaves every delta view that has an entry for it. */
  private removeFromDeltas(record: RoomSource<S, D>): void {
    const deltas = record.deltas;
    if (deltas === null) return;
    for (const entry of [...deltas]) entry.view.remove(entry);
  }

  /** `record`'s source leaves every copy view that knows it. */
  private removeFromCopies(record: RoomSource<S, D>): void {
    const copies = record.copies;
    if (copies === null) return;
    for (const entry of [...copies]) entry.view.remove(entry);
  }
}
