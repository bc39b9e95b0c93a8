import type { OutputEvent } from '../../events/events.js';
import type { Outputs } from '../../rules/pinning.js';
import type { RoomSource } from './roomSource.js';

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
 * One listener's own view of the room, which it has once its view differs from the shared view. Two kinds, each
 * `AudioMixerCore`'s rules on slots of its own: a `CopyView` (`kind: 'copy'`) is a copy of what the listener hears
 * of the shared view, for a listener that follows a set; a `DeltaView` (`kind: 'delta'`) keeps only where it differs
 * from the shared view, for a listener that follows nothing.
 */
export interface ListenerView<S, D> {
  readonly kind: 'copy' | 'delta';
  /** The listener whose view it is: its one owner, fixed when the view is made. */
  readonly listener: RoomListener<S, D>;
  readonly outputs: Outputs<S, D>;
  /** How many sources it keeps an entry for. */
  readonly entries: number;
  /** While set, nothing is emitted (a view being built for a listener that has not seen its pins yet). */
  silent: boolean;
  /** Removes the sources silent for the timeout at `now` (rule 5): a copy view's own; a delta view's are the room's. */
  expireAt(now: number): void;
  /** `record`'s source leaves the view (rule 3, then rule 4), if the view keeps an entry for it. */
  removeSource(record: RoomSource<S, D>): void;
  /** Gives every free output to the loudest candidates (rule 4). */
  fill(): void;
  /** Forgets every entry: the view is no longer used. */
  drop(): void;
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
  followed: ReadonlySet<S> = new Set<S>();

  constructor(
    readonly hearing: Hearing<S>,
    readonly emit: (event: OutputEvent<S, D>) => void,
  ) {}

  /**
   * Its view when that is a delta view, or `null`.
   * @internal
   */
  get delta(): ListenerView<S, D> | null {
    const view = this.view;
    return view !== null && view.kind === 'delta' ? view : null;
  }

  hears(source: S): boolean {
    return !this.hearing.exclude.has(source) && (!this.hearing.following || this.followed.has(source));
  }
}

/** Tells `listener` alone, in ascending output order, of each output of `outputs` that is pinned: its pin or unpin. */
export function announce<S, D>(
  listener: RoomListener<S, D>,
  outputs: Outputs<S, D>,
  type: 'output-pin' | 'output-unpin',
): void {
  for (let output = 0; output < outputs.count; output++) {
    const slot = outputs.at(output);
    if (slot >= 0) listener.emit({ type, output, source: outputs.sourceOf(slot) });
  }
}
