// The candidate buckets (src/data/candidateBuckets.ts) against the obviously correct model: a list of candidates,
// the loudest found by a scan (the highest level, the latest stamp among equals, rule 8). Levels are whole numbers
// (RFC 6464) and fractions, several to a bucket; stamps come newest (`add`) or anywhere in the past (`insert`, a
// delta view's copy of a shared candidate).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CandidateBuckets } from '../src/data/candidateBuckets.js';
import { F64_PER_SLOT, LEVEL, SourceSlots, STAMP } from '../src/data/sourceSlots.js';

const SLOTS = 24;
const level = fc.oneof(
  fc.constantFrom(-127, -60, -40, -40, -10, 0),
  fc.constantFrom(-40.5, -40.25, -39.75, -10.5, -126.5),
);
const op = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('add' as const), slot: fc.nat(SLOTS - 1), level }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      slot: fc.nat(SLOTS - 1),
      level,
      before: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('remove' as const), slot: fc.nat(SLOTS - 1) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('ask' as const), modulus: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
);

interface Candidate {
  slot: number;
  level: number;
  stamp: number;
}

/** The model's loudest among `candidates` that `accept` takes: the highest level, the latest stamp among equals. */
function loudest(candidates: Candidate[], accept: (slot: number) => boolean): number {
  let best: Candidate | undefined;
  for (const c of candidates) {
    if (!accept(c.slot)) continue;
    if (best === undefined || c.level > best.level || (c.level === best.level && c.stamp > best.stamp)) best = c;
  }
  return best === undefined ? -1 : best.slot;
}

describe('CandidateBuckets', () => {
  it('finds the loudest candidate, and the loudest one a filter takes, as a scan of every candidate does', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const slots = new SourceSlots();
        slots.reserve(SLOTS - 1);
        const buckets = new CandidateBuckets(slots);
        let model: Candidate[] = [];
        let clock = 0;
        const used = new Set<number>();
        const place = (slot: number, lvl: number, stamp: number) => {
          slots.f64[F64_PER_SLOT * slot + LEVEL] = lvl;
          slots.f64[F64_PER_SLOT * slot + STAMP] = stamp;
          used.add(stamp);
          model.push({ slot, level: lvl, stamp });
        };
        for (const o of ops) {
          const member = o.kind === 'add' || o.kind === 'insert' || o.kind === 'remove' ? model.find((c) => c.slot === o.slot) : undefined;
          if (o.kind === 'add' && member === undefined) {
            place(o.slot, o.level, ++clock);
            buckets.add(o.slot);
          } else if (o.kind === 'insert' && member === undefined) {
            // A stamp of the past, given to no other candidate (the stamps of a room are distinct).
            const stamp = Math.floor(o.before * clock) + 0.5;
            if (used.has(stamp)) continue;
            place(o.slot, o.level, stamp);
            buckets.insert(o.slot);
          } else if (o.kind === 'remove' && member !== undefined) {
            buckets.remove(o.slot);
            model = model.filter((c) => c !== member);
          } else if (o.kind === 'clear') {
            buckets.clear();
            model = [];
          } else if (o.kind === 'ask') {
            const accept = (slot: number) => slot % o.modulus === 0;
            expect(buckets.loudestWhere(accept)).toBe(loudest(model, accept));
          }
          expect(buckets.loudest()).toBe(loudest(model, () => true));
        }
      }),
      { numRuns: 500 },
    );
  });
});
