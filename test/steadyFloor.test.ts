// Steady floor (src/rules/steadyFloor.ts): a level that has barely moved for a while is a floor, whatever its height;
// replayed on the live rooms recorded from real GStreamer senders (test/fixtures/live/).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LevelNormaliser, normaliseLevels, speechMixer } from 'rx-audio-mixer';
import { liveRoom, pinCount } from '../scripts/quality.js';
import { LIVE_ROOMS, readLiveRecording } from './liveRecordings.js';
import { marbles, packet, type In } from './helpers.js';

const lvl = (source: string, level: number): In => packet(source, level, 'x');

describe('steady floor', () => {
  it('a level that stays within steadyWithin dB for steadyFor ms is the floor at once, above maxFloor too', marbles((m) => {
    // prettier-ignore
    const source = m.hot('  h-h-h-h-h-s-h-|', { h: lvl('a', -40), s: lvl('a', -20) });
    const subs = '          ^-------------!';
    // Until it has been steady for 4 frames, the percentile floor (capped at -50) leaves the hum 10 dB above it:
    // -117. From frame 4 the hum is the floor: -127; speech rises above it: -127 + 20.
    m.expect(source.pipe(normaliseLevels({ steadyFor: 4, scheduler: m.scheduler }))).toBeObservable('a-a-b-b-b-c-b-|', {
      a: lvl('a', -117),
      b: lvl('a', -127),
      c: lvl('a', -107),
    });
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('levels that move by more than steadyWithin are no floor: speech keeps ranking above the percentile floor', marbles((m) => {
    // prettier-ignore
    const source = m.hot('  s-t-s-t-s-t-s-|', { s: lvl('a', -30), t: lvl('a', -34) });
    const subs = '          ^-------------!';
    m.expect(source.pipe(normaliseLevels({ steadyFor: 4, steadyWithin: 3, scheduler: m.scheduler }))).toBeObservable(
      's-t-s-t-s-t-s-|',
      { s: lvl('a', -107), t: lvl('a', -111) },
    );
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('a step back to the level a source was steady at is no onset, even after a long turn forgot it', marbles((m) => {
    const values = { q: lvl('a', -59), S: lvl('a', -30), T: lvl('a', -40), p: lvl('a', -96) };
    // prettier-ignore
    const source = m.hot('  q-q-q-S-T-S-T-S-T-S-T-p-p-p-p-q-q-q-|', values);
    const subs = '          ^-----------------------------------!';
    // The percentile floor is held at -80. The sender's silence (-59) is steady from frame 4 (quiet from then on). A
    // turn: its onset at 6 (+20 for 2 frames); the steady level is forgotten at 14, 10 frames after it was last seen (window 20), so the
    // floor is -80 again. Pauses at -96 (flat from 22, steady at 26, but lower). At 30 the sender is back to -59: it
    // sounds (21 dB above -80) after a pause, yet it is no onset: -106, not -86. At 34 it is steady again: -127.
    const options = {
      minFloor: -80,
      maxFloor: -80,
      window: 20,
      steadyFor: 4,
      onsetBoost: 20,
      onsetAfter: 2,
      onsetFor: 2,
      scheduler: m.scheduler,
    };
    m.expect(source.pipe(normaliseLevels(options))).toBeObservable('a-a-b-B-c-d-c-e-f-e-f-b-b-b-b-a-a-b-|', {
      a: lvl('a', -106),
      b: lvl('a', -127),
      B: lvl('a', -78),
      c: lvl('a', -108),
      d: lvl('a', -98),
      e: lvl('a', -77),
      f: lvl('a', -87),
    });
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('checks its options', () => {
    expect(() => normaliseLevels({ steadyWithin: -1 })).toThrow(RangeError);
    expect(() => normaliseLevels({ steadyWithin: 21 })).toThrow(/'steadyWithin'/);
    expect(() => normaliseLevels({ steadyWithin: '3' as never })).toThrow(TypeError);
    expect(() => normaliseLevels({ steadyFor: 0 })).toThrow(/'steadyFor'/);
    expect(() => normaliseLevels({ steadyFor: Number.POSITIVE_INFINITY })).toThrow(/'steadyFor'/);
    expect(() => speechMixer({ outputs: 1, steadyFor: -5 })).toThrow(/'steadyFor'/);
  });

  it('a source at a steady level is at its floor from steadyFor ms on, for any timing and any level', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.nat(400)), { minLength: 1, maxLength: 80 }),
        fc.record({ a: fc.integer({ min: -127, max: 0 }), b: fc.integer({ min: -127, max: 0 }), c: fc.integer({ min: -127, max: 0 }) }),
        fc.integer({ min: 1, max: 1000 }),
        (steps, levels, steadyFor) => {
          const out: { source: string; level: number }[] = [];
          const stage = new LevelNormaliser<string, string>(
            {
              window: 2000,
              percentile: 10,
              minFloor: -80,
              maxFloor: -50,
              gainOf: undefined,
              timeout: 500,
              steady: { steadyWithin: 3, steadyFor, forgetAfter: 1000 },
            },
            (e) => {
              if (e.type === 'source-pkt') out.push({ source: e.source, level: e.level as number });
            },
          );
          // The model: a source (re)starts at its first packet, or after the timeout; from steadyFor ms on, its level
          // is its floor (-127); before, it is above its percentile floor, clamped to -80..-50.
          const since = new Map<string, number>();
          const last = new Map<string, number>();
          const expected: number[] = [];
          let time = 0;
          for (const [source, gap] of steps) {
            time += gap;
            if (!last.has(source) || time - last.get(source)! >= 500) since.set(source, time);
            last.set(source, time);
            const l = levels[source as 'a'];
            expected.push(
              time - since.get(source)! >= steadyFor ? -127 : Math.max(-127, Math.min(0, -127 + l - Math.min(-50, Math.max(-80, l)))),
            );
            stage.push(lvl(source, l), time);
          }
          expect(out.map((o) => o.level)).toStrictEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('live rooms, replayed (test/fixtures/live/)', () => {
  const turnsOf = (room: ReturnType<typeof liveRoom>) => room.speakers.reduce((n, s) => n + s.speechMs.length, 0);

  it('speechMixer pins at most once per turn plus the first pin, with 1 and 2 outputs, whatever the senders’ silence', { timeout: 60_000 }, () => {
    for (const name of LIVE_ROOMS) {
      const room = liveRoom(name);
      for (const outputs of [1, 2]) {
        expect(pinCount(room, 'speechMixer', outputs), `${name}, ${outputs}`).toBeLessThanOrEqual(turnsOf(room) + 1);
      }
    }
  });

  it('without the steady floor (steadyFor too long to matter) speechMixer switches more; audioMixer flaps', { timeout: 60_000 }, () => {
    for (const name of ['digital-silence', 'mixed-silence'] as const) {
      const room = liveRoom(name);
      const withoutRule = pinCount(room, (o) => speechMixer<string, number>({ ...o, steadyFor: 1e9 }), 1);
      expect(withoutRule, name).toBeGreaterThan(turnsOf(room) + 1);
      expect(pinCount(room, 'audioMixer', 1), name).toBeGreaterThan(turnsOf(room) + 1);
    }
  });

  it('the recordings are what their README says: GStreamer’s digital silence -59, dither -95/-96, the hum -60; Chromium DTX pairs', () => {
    const outside = (name: (typeof LIVE_ROOMS)[number], speaker: number) => {
      const r = readLiveRecording(name);
      const [[a, b]] = r.speakers[speaker]!.speechMs as [[number, number]];
      return r.packets.filter(([, s, index]) => s === speaker && (index * 20 < a - 200 || index * 20 >= b + 200));
    };
    const levels = (packets: ReturnType<typeof outside>) => new Set(packets.map((p) => p[3]));
    expect(levels(outside('digital-silence', 0))).toStrictEqual(new Set([-59]));
    expect([...levels(outside('dither', 1))].every((l) => l !== null && l <= -94 && l >= -97)).toBe(true);
    expect([...levels(outside('mixed-silence', 2))].every((l) => l === -60 || l === -59)).toBe(true);
    const dtx = outside('chromium-model', 0);
    expect(levels(dtx)).toStrictEqual(new Set([-127]));
    expect(dtx.every(([, , index, , v]) => index % 20 <= 1 && v === 0)).toBe(true);
    expect([...levels(outside('chromium-model', 2))].every((l) => l !== null && l <= -103 && l >= -106)).toBe(true);
  });
});
