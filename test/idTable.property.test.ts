// The id table (src/data/idTable.ts) against a Map, the obviously correct model: SSRC-like numbers and strings in
// indexes of its own (small numbers and short strings collide, so probe runs and removals inside them are
// exercised), other ids in a Map.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdTable } from '../src/data/idTable.js';

type Id = number | string;

const ids = fc.oneof(
  // Multiples of 2^26 share few home buckets in a small table: long probe runs.
  fc.integer({ min: 0, max: 63 }).map((k) => k * 2 ** 26),
  fc.integer({ min: 0, max: 40 }),
  fc.constantFrom(2 ** 32 - 1, 2 ** 31, -0, -1, 1.5, Number.NaN, 2 ** 32),
  fc.string({ maxLength: 3 }),
);

// Clears are rare, so that the table has time to fill between them.
const op = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('set', 'delete', 'get') },
  { weight: 1, arbitrary: fc.constant('clear') },
);

describe('IdTable', () => {
  it('answers as a Map does, through adds, removals, growth and clears', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(op, ids), { maxLength: 400 }),
        fc.constantFrom(0, 3, 16_384),
        (ops, indexStringsAt) => {
          // Strings move from the Map to their own index past `indexStringsAt` ids in the Map.
          const table = new IdTable<Id, { id: Id }>(indexStringsAt);
          const model = new Map<Id, { id: Id }>();
          for (const [op, id] of ops) {
            if (op === 'set' && !model.has(id)) {
              const record = { id };
              table.set(id, record);
              model.set(id, record);
            } else if (op === 'delete') {
              table.delete(id);
              model.delete(id);
            } else if (op === 'clear') {
              table.clear();
              model.clear();
            }
            expect(table.get(id)).toBe(model.get(id));
            expect(table.size).toBe(model.size);
          }
          for (const [id, record] of model) expect(table.get(id)).toBe(record);
        },
      ),
      { numRuns: 500 },
    );
  });
});
