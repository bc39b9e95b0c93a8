/**
 * Traffic for the benchmark, made up front so that making it is not measured: every source sends a packet every
 * 20 ms of virtual time. Levels are stored as bytes (0..127 meaning minus that dBov; 255 meaning "sends nothing
 * this round"), and one packet object per source is reused, its level set just before it is sent.
 */
import type { SourceEvent } from 'rx-audio-mixer';
import { random } from '../scripts/random.js';

export const PACKET_MS = 20;
const SILENT = 255;

/** A source id as a server has it: a string (a participant), or a number (an RTP SSRC, what the RTP adapter emits). */
export type Id = string | number;
/** How the sources of a workload are named. */
export type IdKind = 'string' | 'ssrc';

export interface Traffic {
  readonly sources: number;
  readonly ids: readonly Id[];
  readonly packets: { type: 'source-pkt'; source: Id; level: number; data: Uint8Array }[];
  /** `rounds * sources` level bytes. */
  readonly levels: Uint8Array;
  readonly rounds: number;
  /** Joins and leaves, by round: sent before that round's packets. */
  readonly membership: Map<number, SourceEvent<Id>[]>;
  /**
   * The orders in which the sources' packets arrive (indices), round `r` taking `arrival[r % arrival.length]`; join
   * order when absent.
   */
  readonly arrival?: readonly Int32Array[];
}

/** `sources` distinct ids: `source-<i>`, or random 32-bit SSRCs. */
export function makeIds(sources: number, kind: IdKind): Id[] {
  if (kind === 'string') return Array.from({ length: sources }, (_, i) => `source-${i}`);
  const next = random(sources * 7 + 3);
  const seen = new Set<number>();
  while (seen.size < sources) seen.add(Math.floor(next() * 2 ** 32));
  return [...seen];
}

function base(sources: number, rounds: number, kind: IdKind): Omit<Traffic, 'membership'> {
  const ids = makeIds(sources, kind);
  const payload = new Uint8Array(60);
  return {
    sources,
    ids,
    packets: ids.map((source) => ({ type: 'source-pkt' as const, source, level: -127, data: payload })),
    levels: new Uint8Array(rounds * sources),
    rounds,
  };
}

/**
 * A room as a server sees it: three speakers taking turns (levels 20..40 below full scale, with pauses), everyone
 * else near silence (95..127 below), 0.1% of sources leaving and joining again each second, and 0.1% going quiet
 * for 1.2 s of every 2 s, so that they time out (timeout 1000 ms) and come back.
 */
export function realistic(sources: number, kind: IdKind = 'string'): Traffic {
  const rounds = 100; // 2 s
  const t = base(sources, rounds, kind);
  const next = random(sources);
  const speakers = [0, 1, 2].map((k) => Math.floor((k * sources) / 3));
  const flaky = new Set<number>();
  const movers = new Set<number>();
  for (let i = 0; i < Math.max(1, Math.floor(sources / 1000)); i++) {
    flaky.add(Math.floor(next() * sources));
    movers.add(Math.floor(next() * sources));
  }
  for (let r = 0; r < rounds; r++) {
    const row = r * sources;
    for (let i = 0; i < sources; i++) t.levels[row + i] = 95 + Math.floor(next() * 33);
    speakers.forEach((s, k) => {
      // Each speaker talks for 400 ms out of every 1.2 s, in turn, with short overlaps.
      const phase = (r + k * 20) % 60;
      if (phase < 22) t.levels[row + s] = 20 + Math.floor(next() * 21);
    });
    if (r >= 20 && r < 80) for (const f of flaky) t.levels[row + f] = SILENT;
    // Movers are gone from round 10 to 60: a packet would bring them back.
    if (r >= 10 && r < 60) for (const m of movers) t.levels[row + m] = SILENT;
  }
  const membership = new Map<number, SourceEvent<Id>[]>();
  membership.set(
    10,
    [...movers].map((m) => ({ type: 'source-removed', source: t.ids[m]! })),
  );
  membership.set(
    60,
    [...movers].map((m) => ({ type: 'source-added', source: t.ids[m]! })),
  );
  return { ...t, membership };
}

/** The worst case for switching: every packet carries a new random level, so the loudest set turns over constantly. */
export function adversarial(sources: number, kind: IdKind = 'string'): Traffic {
  const rounds = 50;
  const t = base(sources, rounds, kind);
  const next = random(sources + 7);
  for (let i = 0; i < t.levels.length; i++) t.levels[i] = Math.floor(next() * 128);
  return { ...t, membership: new Map() };
}

/**
 * `traffic` with its packets arriving in a fixed random order, not the order the sources joined in: a media server
 * receives packets in the order the network delivers them. In join order every packet's record lies next to the one
 * before it in memory; in arrival order each is somewhere else in a heap of hundreds of MB.
 */
export function shuffledArrival(traffic: Traffic): Traffic {
  return { ...traffic, arrival: [shuffled(traffic.sources, random(traffic.sources + 11))] };
}

/**
 * `traffic` with each round's packets in a new random order (seven orders, taken in turn): nothing in one round's
 * order tells the next, so a lookup that guesses from the last round (`SourceRegistry`) is always wrong. A worst case; a
 * network's jitter only swaps packets that arrive close together.
 */
export function reshuffledArrival(traffic: Traffic): Traffic {
  const next = random(traffic.sources + 13);
  return { ...traffic, arrival: Array.from({ length: 7 }, () => shuffled(traffic.sources, next)) };
}

/**
 * `traffic` in a fixed random order with jitter: each round, every packet swaps places with the next one with
 * probability 1/4 (seven such rounds, taken in turn), as packets that arrive within a millisecond of each other do.
 */
export function jitteredArrival(traffic: Traffic): Traffic {
  const next = random(traffic.sources + 17);
  const base = shuffled(traffic.sources, next);
  const arrival = Array.from({ length: 7 }, () => {
    const order = base.slice();
    for (let i = 0; i + 1 < order.length; i++) {
      if (next() >= 0.25) continue;
      const swap = order[i]!;
      order[i] = order[i + 1]!;
      order[i + 1] = swap;
      i++;
    }
    return order;
  });
  return { ...traffic, arrival };
}

/**
 * `traffic` in the arrival order the command line asks for (`bench/profile.ts`, `bench/compare.ts`): `--arrival`
 * ({@link shuffledArrival}), `--jitter` ({@link jitteredArrival}), `--reshuffle` ({@link reshuffledArrival}), or
 * join order.
 */
export function arrivalFromArgs(traffic: Traffic, args: readonly string[]): Traffic {
  if (args.includes('--arrival')) return shuffledArrival(traffic);
  if (args.includes('--jitter')) return jitteredArrival(traffic);
  if (args.includes('--reshuffle')) return reshuffledArrival(traffic);
  return traffic;
}

/** 0 .. length-1 in a random order (Fisher-Yates). */
function shuffled(length: number, next: () => number): Int32Array {
  const order = Int32Array.from({ length }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const swap = order[i]!;
    order[i] = order[j]!;
    order[j] = swap;
  }
  return order;
}

/** Feeds round `round` of `traffic` to `next`. Returns the number of packets sent. */
export function feedRound(traffic: Traffic, round: number, next: (event: SourceEvent<Id>) => void): number {
  const r = round % traffic.rounds;
  for (const event of traffic.membership.get(r) ?? []) next(event);
  const { levels, packets, sources } = traffic;
  const arrival = traffic.arrival?.[round % traffic.arrival.length];
  const row = r * sources;
  let sent = 0;
  for (let k = 0; k < sources; k++) {
    const i = arrival === undefined ? k : (arrival[k] as number);
    const code = levels[row + i] as number;
    if (code === SILENT) continue;
    const packet = packets[i] as Traffic['packets'][number];
    packet.level = -code;
    next(packet);
    sent++;
  }
  return sent;
}
