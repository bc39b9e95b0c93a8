import { describe, expect, it } from 'vitest';
import { map, mergeMap, of, range, take, type OperatorFunction } from 'rxjs';
import {
  pinOutputs,
  selectLoudest,
  timeoutSources,
  trackLevels,
  type InvalidReport,
  type LevelledPacket,
  type LevelledSourceEvent,
  type SelectionEvent,
} from 'rx-audio-mixer';
import { added, marbles, packet, pin, pkt, removed, unpin } from './helpers.js';

type Sel = SelectionEvent<string, string>;
const selected = (source: string): Sel => ({ type: 'source-selected', source });
const deselected = (source: string): Sel => ({ type: 'source-deselected', source });
const lp = (source: string, level: number): LevelledPacket<string, string> => ({
  type: 'source-pkt',
  source,
  level,
  data: `${source}-data`,
});

describe('timeoutSources', () => {
  it('removes a source timeout ms after its last event (the TSDoc diagram)', marbles((m) => {
    const values = { a: added('a'), A: packet('a', -30), r: removed('a') };
    // prettier-ignore
    const source = m.hot('a--A----------|', values);
    const expected = '     a--A----r-----|';
    m.expect(source.pipe(timeoutSources<string, string>({ timeout: 5, scheduler: m.scheduler }))).toBeObservable(
      expected,
      values,
    );
  }));

  it('makes the stream well-formed: adds before unknown packets, drops duplicates and unknown removals', marbles((m) => {
    const reports: InvalidReport[] = [];
    const values = { A: packet('a', -30), a: added('a'), x: removed('a'), y: removed('b') };
    // prettier-ignore
    const source = m.hot('A-a-y-x-x-|', values);
    const expected = '     (aA)--x---|';
    m.expect(
      source.pipe(timeoutSources<string, string>({ scheduler: m.scheduler, onInvalid: (r) => reports.push(r) })),
    ).toBeObservable(expected, values);
    m.flush();
    expect(reports.map((r) => r.reason)).toStrictEqual(['duplicate-source', 'unknown-source', 'unknown-source']);
  }));

  it('removes sources due at the end before completing', marbles((m) => {
    const values = { a: added('a'), r: removed('a') };
    // prettier-ignore
    const source = m.hot('a----|', values);
    const expected = '     a----(r|)';
    m.expect(source.pipe(timeoutSources<string, string>({ timeout: 5, scheduler: m.scheduler }))).toBeObservable(
      expected,
      values,
    );
  }));
});

describe('trackLevels', () => {
  it('normalises levels and passes valid packets through as the same object (the TSDoc diagram)', marbles((m) => {
    const reports: InvalidReport[] = [];
    const values = { a: packet('a', -30), b: packet('b'), c: packet('c', 7) };
    // prettier-ignore
    const source = m.hot('a--b--c--|', values);
    const expected = '     a--B--C--|';
    const seen: unknown[] = [];
    const result = source.pipe(
      trackLevels<string, string>({ onInvalid: (r) => reports.push(r) }),
      map((e) => (seen.push(e), e)),
    );
    m.expect(result).toBeObservable(expected, { a: lp('a', -30), B: lp('b', -127), C: lp('c', 0) });
    m.flush();
    expect(seen[0]).toBe(values.a);
    expect(reports.map((r) => r.reason)).toStrictEqual(['level-out-of-range']);
  }));

  it('lets a normalisation step of your own sit before selectLoudest', marbles((m) => {
    const values = { a: added('a'), b: added('b'), B: packet('b', -50) };
    // b is a quiet microphone: +30 dB makes its -50 a -20, which beats a (-127) by the threshold.
    const boost = map((e: LevelledSourceEvent<string, string>) =>
      e.type === 'source-pkt' && e.source === 'b' ? { ...e, level: Math.min(0, e.level + 30) } : e,
    );
    // prettier-ignore
    const source = m.hot('a-b-B-----|', values);
    const expected = '     s---(dtB)-|';
    m.expect(
      source.pipe(trackLevels<string, string>(), boost, selectLoudest<string, string>({ outputs: 1 })),
    ).toBeObservable(expected, { s: selected('a'), d: deselected('a'), t: selected('b'), B: lp('b', -20) });
  }));
});

describe('selectLoudest', () => {
  it('replaces the quietest selected source with a candidate that beats it (the TSDoc diagram)', marbles((m) => {
    const values = { a: added('a'), b: added('b'), B: lp('b', -20) };
    // prettier-ignore
    const source = m.hot<LevelledSourceEvent<string, string>>('a--b--B------|', values);
    const expected = '     s-----(dtB)--|';
    m.expect(source.pipe(selectLoudest<string, string>({ outputs: 1, threshold: 30 }))).toBeObservable(expected, {
      s: selected('a'),
      d: deselected('a'),
      t: selected('b'),
      B: values.B,
    });
  }));

  it('emits no deselection at the end: outputs are released by pinOutputs', marbles((m) => {
    // prettier-ignore
    const source = m.hot<LevelledSourceEvent<string, string>>('a-|', { a: added('a') });
    m.expect(source.pipe(selectLoudest<string, string>({ outputs: 1 }))).toBeObservable('s-|', { s: selected('a') });
  }));
});

describe('pinOutputs', () => {
  it('pins, forwards and unpins, and unpins the rest at the end (the TSDoc diagram)', marbles((m) => {
    const values = { s: selected('a'), t: selected('b'), A: lp('a', -10), d: deselected('a') };
    // prettier-ignore
    const source = m.hot('s--t--A--d--|', values);
    const expected = '     P--Q--K--U--(V|)';
    m.expect(source.pipe(pinOutputs<string, string>({ outputs: 2 }))).toBeObservable(expected, {
      P: pin(0, 'a'),
      Q: pin(1, 'b'),
      K: pkt(0, 'a', -10),
      U: unpin(0, 'a'),
      V: unpin(1, 'b'),
    });
  }));

  it('reports selections it cannot honour', marbles((m) => {
    const reports: InvalidReport[] = [];
    const values = { s: selected('a'), t: selected('b'), B: lp('b', -10), e: deselected('c'), r: added('a') as unknown as Sel };
    // prettier-ignore
    const source = m.hot('s-s-t-B-e-r-|', values);
    const expected = '     P-----------(U|)';
    m.expect(
      source.pipe(pinOutputs<string, string>({ outputs: 1, onInvalid: (r) => reports.push(r) })),
    ).toBeObservable(expected, { P: pin(0, 'a'), U: unpin(0, 'a') });
    m.flush();
    expect(reports.map((r) => r.reason)).toStrictEqual([
      'duplicate-source',
      'no-free-output',
      'not-pinned',
      'unknown-source',
      'invalid-event',
    ]);
  }));
});

// Every stage operator, built as a user would, with what it needs to emit something for `a-b-A-B`. (audioMixer has
// the same tests in audioMixer.test.ts, there checking the values emitted.)
type AnyOperator = OperatorFunction<unknown, unknown>;
const anyOperator = (operator: unknown) => operator as AnyOperator;
const operators: [string, () => AnyOperator][] = [
  ['timeoutSources', () => anyOperator(timeoutSources<string, string>())],
  ['trackLevels', () => anyOperator(trackLevels<string, string>())],
  ['selectLoudest', () => anyOperator(selectLoudest<string, string>({ outputs: 2 }))],
  ['pinOutputs', () => anyOperator(pinOutputs<string, string>({ outputs: 2 }))],
];

describe.each(operators)('%s', (_name, create) => {
  const input = { a: added('a'), b: added('b'), A: packet('a', -20), B: packet('b', -10) };
  const selections = { a: selected('a'), b: selected('b'), A: lp('a', -20), B: lp('b', -10) };
  const values: Record<string, unknown> = _name === 'pinOutputs' ? selections : input;

  it('should allow unsubscribing early and explicitly', marbles((m) => {
    // prettier-ignore
    const source = m.hot('a-b-A-B-|', values);
    const subs = '       ^----!   ';
    const unsub = '      -----!   ';
    const result = source.pipe(create(), map(() => 'x'));
    m.expect(result, unsub).toBeObservable('x-x-x-');
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('should not break unsubscription chains', marbles((m) => {
    // prettier-ignore
    const source = m.hot('a-b-A-B-|', values);
    const subs = '       ^----!   ';
    const unsub = '      -----!   ';
    const result = source.pipe(
      mergeMap((e) => of(e)),
      create(),
      mergeMap((e) => of(e)),
    );
    m.expect(result.pipe(map(() => 'x')), unsub).toBeObservable('x-x-x-');
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('stops a synchronous source once downstream has enough', () => {
    let produced = 0;
    const events = range(0, 1e6).pipe(
      map((i) => {
        produced++;
        return _name === 'pinOutputs' ? selected(`s${i}`) : added(`s${i}`);
      }),
    );
    events.pipe(create(), take(1)).subscribe();
    expect(produced).toBe(1);
  });
});
