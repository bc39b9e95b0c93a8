// SourceRegistry's lookup (src/rules/sourceRegistry.ts) against a Map, the obviously correct model. The lookup first tries the
// slot that followed the last one looked up; that guess must never answer for another id: not for a source removed
// since (its slot free, or given to another id), not for an id of another kind with the same key (the SSRC 5, the
// string '5', the number 5.5).
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { IdTable } from '../src/data/idTable.js';
import { SourceRegistry } from '../src/rules/sourceRegistry.js';

type Id = number | string;

const ids = fc.oneof(
  fc.integer({ min: 0, max: 12 }),
  fc.constantFrom(2 ** 32 - 1, 2 ** 31, -1, 5.5, Number.NaN),
  fc.integer({ min: 0, max: 12 }).map(String),
);

const op = fc.oneof(
  { weight: 6, arbitrary: fc.constant('lookup' as const) },
  { weight: 3, arbitrary: fc.constant('add' as const) },
  { weight: 2, arbitrary: fc.constant('remove' as const) },
  { weight: 1, arbitrary: fc.constant('round' as const) },
  { weight: 2, arbitrary: fc.constant('release' as const) },
);

describe('SourceRegistry', () => {
  it('finds a round in the order of the last one without the id table; a swapped pair costs three lookups there', () => {
    const kinds: Id[][] = [
      Array.from({ length: 50 }, (_, i) => (i * 2654435761) >>> 0),
      Array.from({ length: 50 }, (_, i) => `source-${i}`),
    ];
    for (const ids of kinds) {
      const known = new SourceRegistry<Id>(1000, undefined);
      for (const id of ids) known.add(id, 0);
      const table = vi.spyOn(IdTable.prototype, 'slotOf');
      const round = (order: readonly Id[]) => {
        table.mockClear();
        for (const id of order) expect(known.slotOf(id)).toBe(ids.indexOf(id));
        return table.mock.calls.length;
      };
      expect(round(ids)).toBe(ids.length); // nothing to guess from yet
      round(ids); // learns which slot follows the last one
      expect(round(ids)).toBe(0);
      const swapped = [...ids];
      [swapped[10], swapped[11]] = [swapped[11]!, swapped[10]!];
      expect(round(swapped)).toBe(3); // the two swapped, and the one after them
      expect(round(swapped)).toBe(0);
      expect(round([...swapped].reverse())).toBe(ids.length); // a new order: every guess wrong
      table.mockRestore();
    }
  });

  it("does not take a guessed slot given to another source since (the guess's key is the old source's)", () => {
    for (const [p, a, b] of [
      [1, 2, 3],
      ['p', 'source-12', 'source-13'],
    ] as const) {
      const known = new SourceRegistry<Id>(1000, undefined);
      const slotP = known.add(p, 0);
      const slotA = known.add(a, 0);
      expect([known.slotOf(p), known.slotOf(a)]).toEqual([slotP, slotA]); // P's record now guesses A after it
      expect(known.remove(a)).toBe(slotA);
      known.release(); // the end of the event that forgot it
      expect(known.add(b, 0)).toBe(slotA); // the slot is given again
      expect(known.slotOf(p)).toBe(slotP);
      expect(known.slotOf(a)).toBe(-1);
      expect(known.slotOf(p)).toBe(slotP);
      expect(known.slotOf(b)).toBe(slotA);
    }
  });

  it('finds each known source at the slot it was given, and no other, whatever order the lookups come in', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(op, ids), { maxLength: 300 }), (ops) => {
        const known = new SourceRegistry<Id>(1000, undefined);
        const model = new Map<Id, number>();
        for (const [op, id] of ops) {
          if (op === 'add' && !model.has(id)) model.set(id, known.add(id, 0));
          else if (op === 'remove') {
            expect(known.remove(id)).toBe(model.get(id) ?? -1);
            model.delete(id);
          } else if (op === 'round') {
            // Every known source once, in the order they were added: the next round's guesses are all right.
            for (const [known_, slot] of model) expect(known.slotOf(known_)).toBe(slot);
          } else if (op === 'release') {
            // What a stage does at the end of each event: the slots forgotten are given again, the records shrink.
            known.release();
            expect(known.end).toBe(Math.max(0, ...model.values()) + (model.size === 0 ? 0 : 1));
          }
          expect(known.slotOf(id)).toBe(model.get(id) ?? -1);
          expect(known.size).toBe(model.size);
        }
        for (const [id, slot] of model) expect(known.idAt(slot)).toBe(id);
        // Everyone leaves: nothing is kept, whatever order the slots were given in.
        for (const id of model.keys()) known.remove(id);
        known.release();
        expect(known.end).toBe(0);
        expect(known.slots.size).toBe(16);
      }),
      { numRuns: 1000 },
    );
  });
});
