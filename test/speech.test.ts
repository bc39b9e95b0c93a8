// Real speech: normaliseLevels, speechMixer, dominantSpeaker, audioLevels. The quality tables of docs/quality.md and what
// `npm run quality` measures on every room are in quality.e2e.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Subject, VirtualTimeScheduler } from 'rxjs';
import {
  audioLevels,
  dominantSpeaker,
  LevelNormaliser,
  normaliseLevels,
  speechMixer,
} from 'rx-audio-mixer';
import { countingScheduler, marbles, packet, pin, pkt, removed, unpin, type In } from './helpers.js';

const lvl = (source: string, level: number): In => packet(source, level, 'x');

describe('normaliseLevels', () => {
  it('ranks each packet by its level above its source’s floor: a steady hum is silence, speech rises above it', marbles((m) => {
    // prettier-ignore
    const source = m.hot('h-h-h-s-h-|', { h: lvl('fan', -45), s: lvl('alice', -20) });
    // The fan's floor is its own level, capped at -50: -127 + 5 = -122. alice's first packet: floor -50, -127 + 30.
    m.expect(source.pipe(normaliseLevels({ scheduler: m.scheduler }))).toBeObservable('h-h-h-s-h-|', {
      h: lvl('fan', -122),
      s: lvl('alice', -97),
    });
  }));

  it('learns a floor within minFloor..maxFloor from the low percentile of the window', () => {
    const out: number[] = [];
    const stage = new LevelNormaliser<string, string>(
      { window: 10_000, percentile: 10, minFloor: -80, maxFloor: -50, gainOf: undefined, timeout: 1000 },
      (e) => {
        if (e.type === 'source-pkt') out.push(e.level as number);
      },
    );
    // 3 s of a speaker whose pauses measure -65 and whose words -25, then a packet of speech.
    for (let i = 0; i < 150; i++) stage.push(lvl('a', i % 4 === 0 ? -65 : -25), i * 20);
    expect(stage.floorOf('a')).toBe(-65);
    expect(out.at(-1)).toBe(-127 + 40);
    // A sender of digital silence: its floor stops at -80.
    for (let i = 0; i < 150; i++) stage.push(lvl('b', i % 4 === 0 ? -127 : -30), i * 20);
    expect(stage.floorOf('b')).toBe(-80);
  });

  it('adds a per-source gain, keeps levels in -127..0, passes bad levels on unchanged', marbles((m) => {
    const values = { a: lvl('a', -60), b: { type: 'source-pkt', source: 'b', level: Number.NaN, data: 'x' } as In, r: removed('a') };
    // prettier-ignore
    const source = m.hot('a-b-r-|', values);
    m.expect(source.pipe(normaliseLevels({ gain: (s) => (s === 'a' ? 200 : 0), scheduler: m.scheduler }))).toBeObservable('a-b-r-|', {
      ...values,
      a: lvl('a', 0),
    });
  }));

  it('drops a source’s state when it is removed or silent for the timeout, and then no timer runs', () => {
    const virtual = new VirtualTimeScheduler();
    const scheduler = countingScheduler(virtual);
    const room = new Subject<In>();
    room.pipe(normaliseLevels({ timeout: 100, scheduler })).subscribe();
    room.next(lvl('a', -30));
    expect(scheduler.pending).toBe(1);
    virtual.flush();
    expect(scheduler.pending).toBe(0);
    room.next(lvl('a', -30));
    room.next(removed('a'));
    virtual.flush();
    expect(scheduler.pending).toBe(0);
  });

  it('onset priority: a packet that sounds after a pause ranks onsetBoost dB higher for onsetFor ms', marbles((m) => {
    const values = { q: lvl('a', -70), S: lvl('a', -30) };
    // prettier-ignore
    const source =                  m.hot('q-q-q-S-S-S-S-|', values);
    const options = { minFloor: -70, maxFloor: -70, onsetBoost: 20, onsetAfter: 3, onsetFor: 4, scheduler: m.scheduler };
    m.expect(source.pipe(normaliseLevels(options))).toBeObservable('s-s-s-B-B-n-n-|', {
      s: lvl('a', -127),
      B: lvl('a', -67),
      n: lvl('a', -87),
    });
    // The pause is measured from its first quiet packet: 2 frames are too short an onsetAfter of 3.
    // prettier-ignore
    const short =                   m.hot('----q-S-S-|', values);
    m.expect(short.pipe(normaliseLevels(options))).toBeObservable('----s-n-n-|', { s: lvl('a', -127), n: lvl('a', -87) });
  }));

  it('onset priority: not for a source’s first packets, not for steady noise; a quiet packet ends the boost', marbles((m) => {
    const values = {
      S: lvl('a', -30),
      q: lvl('a', -70),
      f: lvl('fan', -40),
      // 9 dB above the floor does not sound; 10 dB does.
      w: lvl('a', -61),
      W: lvl('a', -60),
    };
    // prettier-ignore
    const source =                  m.hot('S-f-q-q-q-W-q-S-f-q-q-q-w-|', values);
    const options = { minFloor: -70, maxFloor: -70, onsetBoost: 20, onsetAfter: 4, onsetFor: 10, scheduler: m.scheduler };
    m.expect(source.pipe(normaliseLevels(options))).toBeObservable('S-f-q-q-q-W-q-S-f-q-q-q-w-|', {
      S: lvl('a', -87),
      f: lvl('fan', -97),
      q: lvl('a', -127),
      W: lvl('a', -97), // an onset at 10 (quiet since 4): -127 + 10 + 20
      w: lvl('a', -118),
    });
  }));

  it('checks its options', () => {
    expect(() => normaliseLevels({ onsetBoost: -1 })).toThrow(/'onsetBoost'/);
    expect(() => normaliseLevels({ onsetAfter: Number.NaN })).toThrow(/'onsetAfter'/);
    expect(() => normaliseLevels({ onsetFor: 0 })).toThrow(/'onsetFor'/);
    expect(() => normaliseLevels({ window: 0 })).toThrow(/'window'/);
    expect(() => normaliseLevels({ percentile: 120 })).toThrow(/'percentile'/);
    expect(() => normaliseLevels({ minFloor: -40, maxFloor: -60 })).toThrow(/'maxFloor'/);
    expect(() => normaliseLevels({ gain: 3 as never })).toThrow(/'gain'/);
  });
});

describe('speechMixer', () => {
  it('is normaliseLevels then audioMixer with a 15 dB threshold and a 200 ms hold, every default overridable', marbles((m) => {
    // prettier-ignore
    const source = m.hot('a-----b-----|', { a: lvl('alice', -20), b: lvl('bob', -5) });
    // alice -> -97; bob -> -82: 15 dB louder, but alice is held for 200 frames. With minHold 0 bob takes over.
    m.expect(source.pipe(speechMixer<string, string>({ outputs: 1, scheduler: m.scheduler }))).toBeObservable('(PK)--------(U|)', {
      P: pin(0, 'alice'),
      K: pkt(0, 'alice', -97, 'x'),
      U: unpin(0, 'alice'),
    });
    m.expect(source.pipe(speechMixer<string, string>({ outputs: 1, minHold: 0, scheduler: m.scheduler }))).toBeObservable('(PK)--(VQL)-(W|)', {
      P: pin(0, 'alice'),
      K: pkt(0, 'alice', -97, 'x'),
      V: unpin(0, 'alice'),
      Q: pin(0, 'bob'),
      L: pkt(0, 'bob', -82, 'x'),
      W: unpin(0, 'bob'),
    });
  }));

  it('gives a new turn onset priority (25 dB by default): it takes the output from a speaker still talking', marbles((m) => {
    // prettier-ignore
    const source = m.hot('a-b-a-b-a-c-------|', { a: lvl('alice', -20), b: lvl('bob', -70), c: lvl('bob', -35) });
    // alice -> -97 (floor -50). bob's floor is -70, his quiet packets' level; he sounds at 10, an onset after 8 ms of
    // quiet: -127 + 35 + 25 = -67, 30 dB above alice. Without the boost, -92 is not 15 dB above alice.
    const o = { outputs: 1, minHold: 0, onsetAfter: 4, onsetFor: 10, scheduler: m.scheduler };
    m.expect(source.pipe(speechMixer<string, string>(o))).toBeObservable('(PK)K---K-(UQL)---(W|)', {
      P: pin(0, 'alice'),
      K: pkt(0, 'alice', -97, 'x'),
      U: unpin(0, 'alice'),
      Q: pin(0, 'bob'),
      L: pkt(0, 'bob', -67, 'x'),
      W: unpin(0, 'bob'),
    });
    m.expect(source.pipe(speechMixer<string, string>({ ...o, onsetBoost: 0 }))).toBeObservable('(PK)K---K---------(V|)', {
      P: pin(0, 'alice'),
      K: pkt(0, 'alice', -97, 'x'),
      V: unpin(0, 'alice'),
    });
  }));
});

describe('dominantSpeaker', () => {
  // Speech modulates (syllables): a level that stays flat for steadyFor ms would be a floor (rules/steadyFloor.ts).
  const speaking = (source: string, i: number) => lvl(source, i % 4 < 2 ? -25 : -33);
  const quiet = (source: string) => lvl(source, -75);

  it('follows turns, ignores a cough while the dominant speaker speaks, and a noisy line', () => {
    const virtual = new VirtualTimeScheduler();
    const room = new Subject<In>();
    const changes: { time: number; source: string }[] = [];
    room.pipe(dominantSpeaker({ scheduler: virtual })).subscribe((e) => changes.push({ time: virtual.now(), source: e.source }));
    for (let i = 0; i < 250; i++) {
      const t = i * 20;
      virtual.schedule(() => {
        // 0-2 s alice speaks (bob coughs at 1 s for 60 ms); 2-5 s bob speaks; a fan hums at -40 throughout.
        room.next(t < 2000 ? speaking('alice', i) : quiet('alice'));
        room.next(t >= 2000 || (t >= 1000 && t < 1060) ? speaking('bob', i) : quiet('bob'));
        room.next(lvl('fan', -40));
      }, t);
    }
    virtual.flush();
    expect(changes.map((c) => c.source)).toStrictEqual(['alice', 'bob']);
    expect(changes[0]!.time).toBeLessThan(100);
    expect(changes[1]!.time).toBeGreaterThanOrEqual(2000);
    expect(changes[1]!.time).toBeLessThan(2200);
  });

  it('checks its options', () => {
    expect(() => dominantSpeaker({ takeAt: 2 })).toThrow(/'takeAt'/);
    expect(() => dominantSpeaker({ floors: { window: -1 } })).toThrow(/'window'/);
  });
});

describe('audioLevels', () => {
  it('reports the loudest above the threshold every interval, then one silence, then no timer', marbles((m) => {
    // prettier-ignore
    const source = m.hot('a-a-b-a------------------------', { a: lvl('alice', -30), b: lvl('bob', -90) });
    // Interval 10 from frame 0: [0,10) alice -30 (bob -90 is below -80); [10,20) nothing: silence; alice and bob
    // are forgotten at 20, and no timer runs after.
    m.expect(source.pipe(audioLevels({ interval: 10, scheduler: m.scheduler }))).toBeObservable('----------v---------s', {
      v: { type: 'volumes', volumes: [{ source: 'alice', level: -30 }] },
      s: { type: 'silence' },
    });
  }));

  it('lists at most maxEntries, loudest first', marbles((m) => {
    // prettier-ignore
    const source = m.hot('abc-|', { a: lvl('a', -50), b: lvl('b', -20), c: lvl('c', -40) });
    m.expect(source.pipe(audioLevels({ interval: 3, maxEntries: 2, scheduler: m.scheduler }))).toBeObservable('---v|', {
      v: { type: 'volumes', volumes: [{ source: 'b', level: -20 }, { source: 'c', level: -40 }] },
    });
  }));

  it('checks its options', () => {
    expect(() => audioLevels({ interval: 0 })).toThrow(/'interval'/);
    expect(() => audioLevels({ maxEntries: 1.5 })).toThrow(/'maxEntries'/);
  });
});

describe('normaliseLevels, properties', () => {
  it('onset priority matches a model that looks back over the whole history of each packet', () => {
    // The model: packet i sounds when 10 dB or more above the floor. It is boosted when it sounds, the run of sounding
    // packets it ends began at packet j, packet j-1 exists and did not sound, the run of quiet packets before j began
    // at packet k with t[j] - t[k] >= after, and t[i] - t[j] < span.
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -80, max: -30 }), fc.nat(50)), { minLength: 1, maxLength: 60 }),
        fc.nat(100),
        fc.integer({ min: 1, max: 150 }),
        fc.integer({ min: 1, max: 30 }),
        (steps, after, span, boost) => {
          const floor = -70;
          const out: number[] = [];
          const stage = new LevelNormaliser<string, string>(
            {
              window: 10_000,
              percentile: 10,
              minFloor: floor,
              maxFloor: floor,
              gainOf: undefined,
              timeout: 10_000,
              onset: { onsetBoost: boost, onsetAfter: after, onsetFor: span },
            },
            (e) => {
              if (e.type === 'source-pkt') out.push(e.level as number);
            },
          );
          const times: number[] = [];
          let time = 0;
          for (const [level, gap] of steps) {
            times.push((time += gap));
            stage.push(lvl('a', level), time);
          }
          const sounds = (i: number) => steps[i]![0] - floor >= 10;
          steps.forEach(([level], i) => {
            let boosted = false;
            if (sounds(i)) {
              let j = i;
              while (j > 0 && sounds(j - 1)) j--;
              if (j > 0) {
                let k = j - 1;
                while (k > 0 && !sounds(k - 1)) k--;
                boosted = times[j]! - times[k]! >= after && times[i]! - times[j]! < span;
              }
            }
            expect(out[i]).toBe(Math.max(-127, Math.min(0, -127 + level - floor + (boosted ? boost : 0))));
          });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('a source at a steady level is at its floor: -127 + level - clamp(level, minFloor, maxFloor), for any timing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.nat(400)), { minLength: 1, maxLength: 80 }),
        fc.record({ a: fc.integer({ min: -127, max: 0 }), b: fc.integer({ min: -127, max: 0 }), c: fc.integer({ min: -127, max: 0 }) }),
        fc.integer({ min: -127, max: -60 }),
        fc.integer({ min: 0, max: 60 }),
        (steps, levels, minFloor, span) => {
          const maxFloor = Math.min(0, minFloor + span);
          const out: { source: string; level: number }[] = [];
          const stage = new LevelNormaliser<string, string>(
            { window: 2000, percentile: 10, minFloor, maxFloor, gainOf: undefined, timeout: 500 },
            (e) => {
              if (e.type === 'source-pkt') out.push({ source: e.source, level: e.level as number });
            },
          );
          let time = 0;
          for (const [source, gap] of steps) stage.push(lvl(source, levels[source as 'a']), (time += gap));
          for (const { source, level } of out) {
            const l = levels[source as 'a'];
            expect(level).toBe(Math.max(-127, Math.min(0, -127 + l - Math.min(maxFloor, Math.max(minFloor, l)))));
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('every level it emits is in -127..0, and never above the input by more than the gain allows', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b'), fc.integer({ min: -127, max: 0 }), fc.nat(100)), { maxLength: 200 }),
        fc.integer({ min: -20, max: 20 }),
        (steps, gain) => {
          const out: number[] = [];
          const inputs: number[] = [];
          const stage = new LevelNormaliser<string, string>(
            { window: 1000, percentile: 10, minFloor: -80, maxFloor: -50, gainOf: () => gain, timeout: 300 },
            (e) => {
              if (e.type === 'source-pkt') out.push(e.level as number);
            },
          );
          let time = 0;
          for (const [source, level, gap] of steps) {
            inputs.push(level);
            stage.push(lvl(source, level), (time += gap));
          }
          out.forEach((level, i) => {
            expect(level).toBeGreaterThanOrEqual(-127);
            expect(level).toBeLessThanOrEqual(0);
            // The floor is at least -80: a packet rises at most 47 dB (+ gain) above where it was.
            expect(level).toBeLessThanOrEqual(Math.max(-127, Math.min(0, inputs[i]! + 47 + gain)));
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
