// The data structures give memory back as a room empties (issue 19, item 2), with hysteresis: a slot array against a
// model of its slots (freed ones given again, last freed first, the array ending at the highest slot in use), the
// per-slot records and the id index against their resizing rules, and a source's id and record let go of once the
// event that forgot it has been handled. test/memory.e2e.test.ts measures the whole of it with a real collector.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlotIndex } from '../src/data/idTable.js';
import { SlotArray } from '../src/data/slotArray.js';
import { F64_PER_SLOT, SourceSlots } from '../src/data/sourceSlots.js';
import { SourceRegistry } from '../src/rules/sourceRegistry.js';

describe('SlotArray', () => {
  it('gives the last freed slot still below its end first, and ends at the highest slot in use', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat()), { maxLength: 500 }), (ops) => {
        const array = new SlotArray<string>();
        // The model: the values by slot, and the freed slots in the order they were freed.
        const used = new Map<number, string>();
        let freed: number[] = [];
        let made = 0;
        for (const [adding, pick] of ops) {
          if (adding || used.size === 0) {
            const end = used.size === 0 ? 0 : Math.max(...used.keys()) + 1;
            freed = freed.filter((slot) => slot < end);
            const expected = freed.pop() ?? end;
            const value = `v${made++}`;
            expect(array.add(value)).toBe(expected);
            used.set(expected, value);
          } else {
            const slots = [...used.keys()];
            const slot = slots[pick % slots.length]!;
            array.free(slot);
            used.delete(slot);
            freed.push(slot);
            expect(array.has(slot)).toBe(false);
          }
          expect(array.size).toBe(used.size);
          expect(array.length).toBe(used.size === 0 ? 0 : Math.max(...used.keys()) + 1);
          for (const [slot, value] of used) expect(array.at(slot)).toBe(value);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('lets go of a value when its slot is freed, before the slot is given again', () => {
    const array = new SlotArray<object>();
    const kept = array.add({});
    const gone = array.add({});
    array.add({});
    array.free(gone);
    expect(array.at(gone)).not.toBeInstanceOf(Object);
    expect(array.at(kept)).toBeInstanceOf(Object);
  });
});

describe('SourceSlots', () => {
  it('keeps the records of the slots below the end it is fitted to, and shrinks only below a quarter full', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3000 })), { minLength: 1, maxLength: 60 }),
        (ops) => {
          const slots = new SourceSlots();
          let end = 0;
          for (const [growing, n] of ops) {
            if (growing) {
              for (let slot = end; slot < n; slot++) {
                slots.reserve(slot);
                slots.f64[F64_PER_SLOT * slot] = slot;
              }
              end = Math.max(end, n);
            } else {
              end = Math.min(end, n);
              const before = slots.size;
              const shrunk = slots.fit(end);
              expect(shrunk).toBe(before > 16 && 4 * end < before);
              expect(slots.size).toBeLessThanOrEqual(Math.max(16, 4 * end));
            }
            expect(slots.size).toBeGreaterThanOrEqual(end);
            let kept = 0;
            for (let slot = 0; slot < end; slot++) if (slots.f64[F64_PER_SLOT * slot] === slot) kept += 1;
            expect(kept).toBe(end);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('does not reallocate on every join when a room oscillates around one size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 3 }), (size, swing) => {
        const slots = new SourceSlots();
        for (let slot = 0; slot < size; slot++) slots.reserve(slot);
        slots.fit(size);
        let reallocations = 0;
        let buffer = slots.f64.buffer;
        for (let round = 0; round < 50; round++) {
          // `swing` sources leave (the highest slots freed), then as many join again.
          slots.fit(Math.max(0, size - swing));
          for (let slot = Math.max(0, size - swing); slot < size; slot++) slots.reserve(slot);
          if (slots.f64.buffer !== buffer) reallocations += 1;
          buffer = slots.f64.buffer;
        }
        expect(reallocations).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });
});

describe('SlotIndex', () => {
  it('halves below an eighth full, back to its first capacity when empty, and not on every change around one size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 3 }), (size, swing) => {
        const index = new SlotIndex();
        for (let key = 0; key < size; key++) index.add(key * 7919, key);
        let resizes = 0;
        let table = index.table;
        for (let round = 0; round < 50; round++) {
          for (let key = size - 1; key >= Math.max(0, size - swing); key--) index.removeAt(positionOf(index, key));
          for (let key = Math.max(0, size - swing); key < size; key++) index.add(key * 7919, key);
          if (index.table !== table) resizes += 1;
          table = index.table;
          expect(8 * index.count).toBeGreaterThanOrEqual(index.capacity === 16 ? 0 : index.capacity / 2);
        }
        expect(resizes).toBeLessThanOrEqual(1);
        for (let key = size - 1; key >= 0; key--) index.removeAt(positionOf(index, key));
        expect(index.capacity).toBe(16);
      }),
      { numRuns: 200 },
    );
  });
});

/** Where the pair of slot `slot` (its key `slot * 7919`) is in `index`: its probe run from its home. */
function positionOf(index: SlotIndex, slot: number): number {
  let at = index.home(slot * 7919);
  while (index.table[2 * at + 1] !== slot) at = (at + 1) & index.mask;
  return at;
}

describe('SourceRegistry', () => {
  it("lets go of a forgotten source's id and record at its release, not when its slot is given again", () => {
    const known = new SourceRegistry<string, { slot: number; readonly source: string }>(1000, undefined, (source) => ({
      slot: -1,
      source,
    }));
    const alice = known.recordAt(known.add('alice', 0));
    const bob = known.recordAt(known.add('bob', 0));
    const carol = known.recordAt(known.add('carol', 0));
    expect(known.remove('bob')).toBe(bob.slot);
    // Until the end of the event that forgot it, what follows from it can still name it.
    expect(known.recordAt(bob.slot)).toBe(bob);
    expect(known.idAt(bob.slot)).toBe('bob');
    known.release();
    expect(known.recordAt(bob.slot)).toBeUndefined();
    expect(known.idAt(bob.slot)).not.toBe('bob');
    expect(known.isKnown(bob)).toBe(false);
    expect([known.isKnown(alice), known.isKnown(carol)]).toEqual([true, true]);
    // Everyone leaves (one by timing out): nothing is kept.
    known.remove('alice');
    expect(known.nextDue(1000)).toBe(carol.slot);
    known.release();
    expect(known.size).toBe(0);
    expect(known.end).toBe(0);
  });
});
