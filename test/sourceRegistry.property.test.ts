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

// The registry's other two jobs against a list, the obviously correct model: the stage's object per source (made
// once when the source joins, found by id and by slot until released), and rule 5 (the sources by last activity,
// the deadline that of the oldest, the due ones taken oldest first, exactly at last activity + timeout).
describe('SourceRegistry, objects and timeouts', () => {
  interface Record {
    slot: number;
    readonly source: string;
  }
  const event = fc.oneof(
    fc.tuple(fc.constantFrom('add' as const, 'touch' as const, 'remove' as const), fc.integer({ min: 0, max: 9 })),
    fc.tuple(fc.constant('wait' as const), fc.integer({ min: 0, max: 600 })),
  );

  it('keeps what a list by last activity keeps, through joins, touches, removals, timeouts and releases', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 200 }), (events) => {
        const timeout = 1000;
        const made: Record[] = [];
        const registry = new SourceRegistry<string, Record>(timeout, undefined, (source) => {
          const record = { slot: -1, source };
          made.push(record);
          return record;
        });
        // Oldest activity first: what the registry keeps, as a plain list.
        let model: { readonly source: string; readonly record: Record; active: number }[] = [];
        let now = 0;
        for (const [kind, value] of events) {
          if (kind === 'wait') {
            now += value;
            expect(registry.now(now)).toBe(now);
            const due: string[] = [];
            for (let slot = registry.nextDue(now); slot >= 0; slot = registry.nextDue(now)) {
              due.push(registry.recordAt(slot).source); // still readable until released
            }
            const expected = model.filter((entry) => entry.active + timeout <= now);
            expect(due).toEqual(expected.map((entry) => entry.source));
            model = model.filter((entry) => entry.active + timeout > now);
            for (const entry of expected) expect(registry.isKnown(entry.record)).toBe(false);
            registry.release();
            continue;
          }
          const source = `s${value}`;
          const entry = model.find((known) => known.source === source);
          if (kind === 'add' && entry === undefined) {
            const slot = registry.add(source, now);
            const record = registry.recordAt(slot);
            expect([record, record.slot, record.source]).toEqual([made.at(-1), slot, source]);
            model.push({ source, record, active: now });
          } else if (kind === 'touch' && entry !== undefined) {
            registry.touch(entry.record.slot, now);
            entry.active = now;
            model = [...model.filter((known) => known !== entry), entry];
          } else if (kind === 'remove') {
            expect(registry.remove(source)).toBe(entry?.record.slot ?? -1);
            if (entry !== undefined) {
              expect(registry.recordAt(entry.record.slot)).toBe(entry.record);
              model = model.filter((known) => known !== entry);
            }
            registry.release();
          }
          expect(registry.size).toBe(model.length);
          expect([...registry.byActivity()].map((slot) => registry.recordAt(slot))).toEqual(
            model.map((known) => known.record),
          );
          expect(registry.deadline()).toBe(model.length === 0 ? undefined : model[0]!.active + timeout);
          for (const known of model) {
            expect(registry.get(known.source)).toBe(known.record);
            expect(registry.isKnown(known.record)).toBe(true);
            expect(registry.lastActive(known.record.slot)).toBe(known.active);
          }
          for (let other = 0; other <= 9; other++) {
            if (!model.some((known) => known.source === `s${other}`)) expect(registry.get(`s${other}`)).toBeUndefined();
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
