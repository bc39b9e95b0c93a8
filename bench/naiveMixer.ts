import { Observable, type OperatorFunction } from 'rxjs';
import type { OutputEvent, SourceEvent } from 'rx-audio-mixer';

interface NaiveSource {
  id: string;
  level: number;
  output: number;
}

/**
 * The mixer a first attempt would write: the same rules (minus timeouts and validation), with every source in one
 * array that is sorted by level on every packet. A baseline for the benchmark, not for use.
 */
export function naiveMixer(outputs: number, threshold: number): OperatorFunction<SourceEvent, OutputEvent> {
  return (source) =>
    new Observable<OutputEvent>((subscriber) => {
      const sources: NaiveSource[] = [];
      const byId = new Map<string, NaiveSource>();
      const taken: (NaiveSource | undefined)[] = new Array<NaiveSource | undefined>(outputs).fill(undefined);
      const pin = (s: NaiveSource, output: number) => {
        s.output = output;
        taken[output] = s;
        subscriber.next({ type: 'output-pin', output, source: s.id });
      };
      const unpin = (s: NaiveSource) => {
        taken[s.output] = undefined;
        subscriber.next({ type: 'output-unpin', output: s.output, source: s.id });
        s.output = -1;
      };
      const add = (id: string): NaiveSource => {
        const s: NaiveSource = { id, level: -127, output: -1 };
        sources.push(s);
        byId.set(id, s);
        const free = taken.indexOf(undefined);
        if (free >= 0) pin(s, free);
        return s;
      };
      return source.subscribe({
        next(event) {
          if (event.type === 'source-added') {
            if (!byId.has(event.source)) add(event.source);
          } else if (event.type === 'source-removed') {
            const s = byId.get(event.source);
            if (s === undefined) return;
            byId.delete(s.id);
            sources.splice(sources.indexOf(s), 1);
            if (s.output < 0) return;
            const output = s.output;
            unpin(s);
            sources.sort((a, b) => b.level - a.level);
            const loudest = sources.find((c) => c.output < 0);
            if (loudest) pin(loudest, output);
          } else {
            const s = byId.get(event.source) ?? add(event.source);
            s.level = event.level ?? -127;
            sources.sort((a, b) => b.level - a.level);
            if (s.output < 0) {
              const quietest = sources.findLast((c) => c.output >= 0);
              if (quietest === undefined || s.level < quietest.level + threshold) return;
              const output = quietest.output;
              unpin(quietest);
              pin(s, output);
            }
            subscriber.next({ type: 'output-pkt', output: s.output, source: s.id, level: s.level, data: event.data });
          }
        },
        error: (e: unknown) => {
          subscriber.error(e);
        },
        complete: () => {
          subscriber.complete();
        },
      });
    });
}
