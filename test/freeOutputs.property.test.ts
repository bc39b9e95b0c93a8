// The free outputs (src/data/freeOutputs.ts), which make room only for the outputs in use, against the obviously
// correct model: a set of free outputs, the lowest found by a scan.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { FreeOutputs } from '../src/data/freeOutputs.js';

const op = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('take' as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('give' as const), pick: fc.nat() }) },
  // A copy takes a given free output (`Outputs.restore`), often one never taken yet.
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }) },
);

it('takes the lowest free output, gives back and removes any, as a set of free outputs does', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 40 }), fc.array(op, { maxLength: 200 }), (outputs, ops) => {
      const free = new FreeOutputs(outputs);
      const model = new Set(Array.from({ length: outputs }, (_, output) => output));
      const taken = () => [...Array(outputs).keys()].filter((output) => !model.has(output));
      for (const o of ops) {
        if (o.kind === 'take') {
          const lowest = model.size === 0 ? -1 : Math.min(...model);
          model.delete(lowest);
          expect(free.take()).toBe(lowest);
        } else if (o.kind === 'give') {
          const used = taken();
          if (used.length === 0) continue;
          const output = used[o.pick % used.length]!;
          model.add(output);
          free.give(output);
        } else {
          const left = [...model];
          if (left.length === 0) continue;
          const output = left[o.pick % left.length]!;
          model.delete(output);
          free.remove(output);
        }
      }
      // Drained, it gives every free output in ascending order, then -1.
      const rest: number[] = [];
      for (let output = free.take(); output >= 0; output = free.take()) rest.push(output);
      expect(rest).toStrictEqual([...model].sort((a, b) => a - b));
    }),
  );
});
