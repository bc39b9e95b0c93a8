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
  { weight: 3, arbitrary: fc.constant('release') },
  { weight: 1, arbitrary: fc.constant('clear') },
);

describe('IdTable', () => {
  it('answers as a Map of ids to slots does, through adds, removals, releases, growth, shrinking and clears; slots stay distinct', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(op, ids), { maxLength: 400 }),
        fc.constantFrom(0, 3, 16_384),
        (ops, indexStringsAt) => {
          // Strings move from the Map to their own index past `indexStringsAt` ids in the Map.
          const table = new IdTable<Id>(indexStringsAt);
          const model = new Map<Id, number>();
          /** Slots deleted and not released: their ids are still read there, and they are not given again. */
          const leaving = new Map<number, Id>();
          for (const [op, id] of ops) {
            if (op === 'set' && !model.has(id)) {
              const slot = table.add(id);
              expect([...model.values()]).not.toContain(slot);
              expect(leaving.has(slot)).toBe(false);
              model.set(id, slot);
            } else if (op === 'delete') {
              const slot = model.get(id) ?? -1;
              expect(table.delete(id)).toBe(slot);
              if (slot >= 0) leaving.set(slot, id);
              model.delete(id);
            } else if (op === 'release') {
              table.release();
              leaving.clear();
              // The slots end at the highest one in use.
              expect(table.slots).toBe(model.size === 0 ? 0 : Math.max(...model.values()) + 1);
            } else if (op === 'clear') {
              table.clear();
              model.clear();
              leaving.clear();
            }
            for (const [slot, gone] of leaving) expect([gone].includes(table.idAt(slot))).toBe(true); // SameValueZero (NaN included; toContain is ===)
            expect(table.slotOf(id)).toBe(model.get(id) ?? -1);
            expect(table.size).toBe(model.size);
          }
          for (const [id, slot] of model) {
            expect(table.slotOf(id)).toBe(slot);
            // SameValueZero, as the Map keys: -0 is the id 0, NaN is NaN.
            const known = table.idAt(slot);
            expect(known === id || (Number.isNaN(known) && Number.isNaN(id))).toBe(true);
            expect(slot).toBeLessThan(table.slots);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
