/**
 * A small, obviously correct model of the mixer rules, written separately from the implementation: plain arrays,
 * every decision by scanning everything. Slow on purpose; the property tests compare the library against it.
 */
import type { InvalidReason } from 'rx-audio-mixer';

export interface ModelOptions {
  outputs: number;
  threshold: number;
  timeout: number;
  /** A source pinned less than this many ms ago cannot be taken over; 0 or missing: no hold. */
  minHold?: number;
}

export interface Timed<E> {
  time: number;
  event: E;
}

interface ModelSource {
  id: unknown;
  level: number;
  /** Tie-break: when the mixer last touched this source (added, packet, pinned, unpinned). */
  touched: number;
  lastActive: number;
  /** Tie-break among equal `lastActive`: the order of activity. */
  activityOrder: number;
  output: number | null;
  /** When it was last pinned. */
  pinnedAt: number;
}

type AnyEvent = Record<string, unknown>;

export class MixerModel {
  readonly outputs: (ModelSource | null)[];
  readonly emitted: Timed<AnyEvent>[] = [];
  readonly reports: InvalidReason[] = [];
  private sources: ModelSource[] = [];
  private touches = 0;
  private activities = 0;
  private now = 0;

  constructor(private readonly options: ModelOptions) {
    this.outputs = new Array<ModelSource | null>(options.outputs).fill(null);
  }

  input(time: number, event: unknown): void {
    this.expireDue(time);
    const e = event as AnyEvent | null;
    const type = typeof e === 'object' && e !== null ? e.type : undefined;
    if (type === 'source-added') {
      if (this.find(e?.source) !== undefined) this.reports.push('duplicate-source');
      else this.add(e?.source);
    } else if (type === 'source-pkt') {
      this.packet(e as AnyEvent);
    } else if (type === 'source-removed') {
      const source = this.find(e?.source);
      if (source === undefined) this.reports.push('unknown-source');
      else this.remove(source);
    } else {
      this.reports.push('invalid-event');
    }
  }

  complete(time: number): void {
    this.expireDue(time);
    this.unpinAll();
  }

  error(time: number): void {
    this.expireDue(time);
    this.unpinAll();
  }

  private expireDue(time: number): void {
    for (;;) {
      const due = this.sources
        .filter((s) => s.lastActive + this.options.timeout <= time)
        .sort((a, b) => a.lastActive - b.lastActive || a.activityOrder - b.activityOrder)[0];
      if (due === undefined) break;
      this.now = due.lastActive + this.options.timeout;
      this.remove(due);
    }
    this.now = time;
  }

  private find(id: unknown): ModelSource | undefined {
    return this.sources.find((s) => s.id === id);
  }

  private add(id: unknown): ModelSource {
    const source: ModelSource = {
      id,
      level: -127,
      touched: ++this.touches,
      lastActive: this.now,
      activityOrder: ++this.activities,
      output: null,
      pinnedAt: 0,
    };
    this.sources.push(source);
    const free = this.outputs.indexOf(null);
    if (free >= 0) this.pinTo(source, free);
    return source;
  }

  private packet(e: AnyEvent): void {
    const raw = e.level;
    let level: number;
    if (raw === undefined) level = -127;
    else if (typeof raw !== 'number' || !Number.isFinite(raw)) level = -127;
    else level = Math.min(0, Math.max(-127, raw));
    const source = this.find(e.source) ?? this.add(e.source);
    if (raw !== undefined && (typeof raw !== 'number' || !Number.isFinite(raw))) this.reports.push('invalid-level');
    else if (typeof raw === 'number' && (raw > 0 || raw < -127)) this.reports.push('level-out-of-range');
    source.level = level;
    source.touched = ++this.touches;
    source.lastActive = this.now;
    source.activityOrder = ++this.activities;
    if (source.output === null) {
      const free = this.outputs.indexOf(null);
      if (free >= 0) {
        this.pinTo(source, free);
      } else {
        const hold = this.options.minHold ?? 0;
        const quietest = this.pinned()
          .filter((s) => this.now - s.pinnedAt >= hold)
          .sort((a, b) => a.level - b.level || a.touched - b.touched)[0];
        if (quietest === undefined || level < quietest.level + this.options.threshold) return;
        const output = quietest.output as number;
        this.unpin(quietest);
        quietest.touched = ++this.touches;
        this.pinTo(source, output);
      }
    }
    this.emit({ type: 'output-pkt', output: source.output, source: source.id, level, data: e.data });
  }

  private remove(source: ModelSource): void {
    this.sources = this.sources.filter((s) => s !== source);
    if (source.output === null) return;
    const output = source.output;
    this.unpin(source);
    const loudest = this.sources
      .filter((s) => s.output === null)
      .sort((a, b) => b.level - a.level || b.touched - a.touched)[0];
    if (loudest !== undefined) this.pinTo(loudest, output);
  }

  private pinned(): ModelSource[] {
    return this.sources.filter((s) => s.output !== null);
  }

  private pinTo(source: ModelSource, output: number): void {
    source.touched = ++this.touches;
    source.output = output;
    source.pinnedAt = this.now;
    this.outputs[output] = source;
    this.emit({ type: 'output-pin', output, source: source.id });
  }

  private unpin(source: ModelSource): void {
    const output = source.output as number;
    this.outputs[output] = null;
    source.output = null;
    this.emit({ type: 'output-unpin', output, source: source.id });
  }

  private unpinAll(): void {
    this.outputs.forEach((source) => {
      if (source !== null) this.unpin(source);
    });
    this.sources = [];
  }

  private emit(event: AnyEvent): void {
    this.emitted.push({ time: this.now, event });
  }
}
