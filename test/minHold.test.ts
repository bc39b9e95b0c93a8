// minHold: a source pinned less than minHold ms ago cannot be displaced by the threshold rule; removal, timeout and
// the end still apply. Checked when a packet arrives: no timer of its own.
import { describe, expect, it } from 'vitest';
import { EMPTY, Subject, VirtualTimeScheduler } from 'rxjs';
import { audioMixer, mixRoom, pinOutputs, selectLoudest, timeoutSources, trackLevels } from 'rx-audio-mixer';
import { added, countingScheduler, marbles, packet, pin, pkt, removed, unpin, type In } from './helpers.js';

const values = {
  a: added('alice'),
  A: packet('alice', -60, 'a1'),
  B: packet('bob', -10, 'b1'),
  C: packet('carol', -5, 'c1'),
  x: removed('alice'),
};
const outs = {
  P: pin(0, 'alice'),
  U: unpin(0, 'alice'),
  Q: pin(0, 'bob'),
  K: pkt(0, 'bob', -10, 'b1'),
  V: unpin(0, 'bob'),
  R: pin(0, 'carol'),
  L: pkt(0, 'carol', -5, 'c1'),
  W: unpin(0, 'carol'),
  Z: pkt(0, 'alice', -60, 'a1'),
};

describe('minHold', () => {
  it('holds a pinned source for minHold frames against the threshold rule, then lets it go', marbles((m) => {
    // prettier-ignore
    const source = m.hot('a-B---B-----|', values);
    // alice is pinned at 0: bob's packet at 2 is within the hold of 5 (dropped); at 6 it is not.
    const expected = '    P-----(UQK)-(V|)';
    m.expect(source.pipe(audioMixer<string, string>({ outputs: 1, minHold: 5, scheduler: m.scheduler }))).toBeObservable(expected, outs);
  }));

  it('holds from each pin: a source that just took over is held in turn', marbles((m) => {
    // prettier-ignore
    const source = m.hot('B-C---C------|', values);
    // Threshold 0: bob pinned at 0 (held until 4): carol's louder packet at 2 is dropped, at 6 she takes over.
    const expected = '    (QK)--(VRL)--(W|)';
    m.expect(source.pipe(audioMixer<string, string>({ outputs: 1, threshold: 0, minHold: 4, scheduler: m.scheduler }))).toBeObservable(expected, outs);
  }));

  it('exactly at minHold the hold is over', marbles((m) => {
    // prettier-ignore
    const source = m.hot('a---B------|', values);
    const expected = '    P---(UQK)--(V|)';
    m.expect(source.pipe(audioMixer<string, string>({ outputs: 1, minHold: 4, scheduler: m.scheduler }))).toBeObservable(expected, outs);
  }));

  it('takes the quietest output that is not held: a held quieter one is passed over', marbles((m) => {
    const v = { a: added('a'), b: added('b'), B: packet('b', -50, 'b'), C: packet('c', -5, 'c') };
    // prettier-ignore
    const source = m.hot('a---b-B-C-----|', v);
    // With minHold 6: a (pinned at 0) is free at 8, b (pinned at 4) is held until 10, though quieter than a.
    const expected = '    P---Q-K-(URL)-(VW|)';
    m.expect(source.pipe(audioMixer<string, string>({ outputs: 2, minHold: 6, scheduler: m.scheduler }))).toBeObservable(expected, {
      P: pin(0, 'a'),
      Q: pin(1, 'b'),
      K: pkt(1, 'b', -50, 'b'),
      U: unpin(0, 'a'),
      R: pin(0, 'c'),
      L: pkt(0, 'c', -5, 'c'),
      V: unpin(0, 'c'),
      W: unpin(1, 'b'),
    });
  }));

  it('does not hold against removal, timeout or the end', marbles((m) => {
    // prettier-ignore
    const source = m.hot('a-x-B-----|', values);
    const expected = '    P-U-(QK)--(V|)';
    m.expect(source.pipe(audioMixer<string, string>({ outputs: 1, minHold: 100, scheduler: m.scheduler }))).toBeObservable(expected, outs);
  }));

  it('adds no timer: with a hold and no timeout due, nothing is scheduled beyond the timeout', () => {
    const virtual = new VirtualTimeScheduler();
    const scheduler = countingScheduler(virtual);
    const room = new Subject<In>();
    room.pipe(audioMixer<string, string>({ outputs: 1, minHold: 50, timeout: 1000, scheduler })).subscribe();
    room.next(added('alice'));
    expect(scheduler.pending).toBe(1); // the timeout's timer, and only it
    room.complete();
    expect(scheduler.pending).toBe(0);
  });

  it('the staged pipeline holds as audioMixer does (selectLoudest reads minHold)', marbles((m) => {
    // prettier-ignore
    const source = m.hot('a-B---B-----|', values);
    const o = { outputs: 1, minHold: 5, scheduler: m.scheduler };
    m.expect(source.pipe(timeoutSources<string, string>(o), trackLevels(o), selectLoudest(o), pinOutputs(o))).toBeObservable('P-----(UQK)-(V|)', outs);
  }));

  it('mixRoom holds in every view', marbles((m) => {
    // prettier-ignore
    const source = m.hot('a-B---B-----|', values);
    const room = mixRoom<string, string>(source, { outputs: 1, minHold: 5, scheduler: m.scheduler });
    m.expect(room.listen()).toBeObservable('P-----(UQK)-(V|)', outs);
    m.expect(room.listen({ exclude: ['carol'] })).toBeObservable('P-----(UQK)-(V|)', outs);
  }));

  it('checks the option', () => {
    expect(() => audioMixer({ outputs: 1, minHold: -1 })).toThrow(/'minHold'/);
    expect(() => selectLoudest({ outputs: 1, minHold: Number.NaN })).toThrow(/'minHold'/);
    expect(() => mixRoom(EMPTY, { outputs: 1, minHold: '5' as never })).toThrow(/'minHold'/);
  });
});
