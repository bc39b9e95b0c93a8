// AudioMixerCore against the model (test/model.ts) with hundreds of sources: the per-slot records and the id table
// grow several times, slots are freed and given again to other ids, SSRC numbers and strings mixed, and packets
// come in orders that make the next-slot guess (src/rules/sourceRegistry.ts) right, wrong, and right about a freed slot.
// The property tests in properties.test.ts use seven sources, which never make the records grow.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AudioMixerCore, type OutputEvent } from 'rx-audio-mixer';
import { MixerModel } from './model.js';

type Id = number | string;

const pool: Id[] = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? `s${i}` : (i * 2654435761) >>> 0));

const step = fc.oneof(
  // A round: every source of a range sends, in order or backwards.
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.nat(pool.length - 1), fc.integer({ min: 1, max: 120 }), fc.boolean(), fc.integer({ min: -127, max: 0 }))
      .map(([from, count, backwards, level]) => {
        const ids = pool.slice(from, from + count);
        return (backwards ? ids.reverse() : ids).map((source, i) => ({
          type: 'source-pkt' as const,
          source,
          level: Math.max(-127, level - (i % 40)),
          data: i,
        }));
      }),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.nat(pool.length - 1), fc.integer({ min: 1, max: 60 }))
      .map(([from, count]) => pool.slice(from, from + count).map((source) => ({ type: 'source-removed' as const, source }))),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.nat(pool.length - 1), fc.integer({ min: 1, max: 60 }))
      .map(([from, count]) => pool.slice(from, from + count).map((source) => ({ type: 'source-added' as const, source }))),
  },
);

describe('AudioMixerCore with many sources', () => {
  it('does what the model does while its records grow and its slots are given again', () => {
    let most = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(30), step), { minLength: 5, maxLength: 40 }),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom(0, 20),
        (steps, outputs, minHold) => {
          const options = { outputs, threshold: 10, timeout: 60, minHold };
          const model = new MixerModel(options);
          const emitted: OutputEvent<Id, number>[] = [];
          const core = new AudioMixerCore<Id, number>(options, (event) => emitted.push(event));
          // What the operator's timer does: expire at each deadline, up to `time`.
          const expireUpTo = (time: number) => {
            for (let due = core.nextDeadline(); due !== undefined && due <= time; due = core.nextDeadline()) {
              core.expire(due);
            }
          };
          let time = 0;
          for (const [gap, events] of steps) {
            time += gap;
            expireUpTo(time);
            for (const event of events) {
              model.input(time, event);
              core.push(event, time);
            }
            most = Math.max(most, core.size);
          }
          model.complete(time + 100);
          expireUpTo(time + 100);
          core.end(time + 100);
          expect(emitted).toStrictEqual(model.emitted.map((e) => e.event));
        },
      ),
      { numRuns: 60 },
    );
    expect(most, 'the records grew past their first 16 slots several times').toBeGreaterThan(128);
  });
});
