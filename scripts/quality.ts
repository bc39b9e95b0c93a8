/**
 * `npm run quality`: how well `audioMixer` and `speechMixer` serve a listener on real speech, and how well
 * `dominantSpeaker` follows who speaks. Rooms: the demo room (`demo/room/`), the public GStreamer capture
 * (`test/fixtures/rtp/conversation`), a "loud fan" variant of the demo room (its hum 15 dB louder) and a "late join"
 * variant (the mixer starts 5 s into the conversation), and the live rooms recorded from real GStreamer senders
 * (`test/fixtures/live/`: three speakers in turn, their senders' silence digital, dithered or mixed with a hum, and
 * Chromium's levels modelled on them). Prints the tables and writes them into docs/quality.md between
 * `<!-- quality:start -->` and `<!-- quality:end -->` (`--check` only compares).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mergeMap, Subject, VirtualTimeScheduler, type OperatorFunction } from 'rxjs';
import {
  audioMixer,
  dominantSpeaker,
  normaliseLevels,
  speechMixer,
  type DominantSpeakerEvent,
  type DominantSpeakerOptions,
  type OutputEvent,
  type SourceEvent,
} from 'rx-audio-mixer';
import { DEFAULT_ROOM } from '../demo/cli.js';
import { readRoom } from '../demo/room.js';
import { packetize, PACKET_MS } from '../demo/session.js';
import { LIVE_ROOMS, readLiveRecording } from '../test/liveRecordings.js';

/** A packet as the quality runs see it: level only, with its index in its source's timeline. */
interface Packet {
  time: number;
  source: string;
  level: number | undefined;
  index: number;
}

export interface QualityRoom {
  name: string;
  durationMs: number;
  /** Who speaks when (ms on each source's own timeline: packet index * 20). */
  speakers: { name: string; speechMs: [number, number][] }[];
  /** A source that never speaks (a hum, a fan), if the room has one. */
  noise: string | undefined;
  packets: Packet[];
  /** Packets before this time are not given to the mixer, and speech before it is not counted. */
  startMs: number;
}

function demoRoom(): QualityRoom {
  const { truth, tracks } = readRoom(DEFAULT_ROOM);
  const packets = packetize(tracks).map(({ time, event }) => ({
    time,
    source: event.source,
    level: event.type === 'source-pkt' ? event.level : undefined,
    index: event.type === 'source-pkt' ? event.data.index : 0,
  }));
  return {
    name: 'demo room',
    durationMs: truth.durationMs,
    speakers: truth.speakers
      .filter((s) => s.speechMs.length > 0)
      .map((s) => ({ name: s.name, speechMs: s.speechMs.map(([a, b]): [number, number] => [a, b]) })),
    noise: truth.speakers.find((s) => s.speechMs.length === 0)?.name,
    packets,
    startMs: 0,
  };
}

function captureRoom(): QualityRoom {
  const folder = fileURLToPath(new URL('../test/fixtures/rtp/', import.meta.url));
  const speech = JSON.parse(readFileSync(`${folder}speech.json`, 'utf8')) as {
    speakers: { name: string; ssrc: number; speech_ms: [number, number][] }[];
  };
  const names = new Map(speech.speakers.map((s) => [s.ssrc, s.name]));
  const first = new Map<number, number>();
  const packets: Packet[] = readFileSync(`${folder}conversation.jsonl`, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { t_us: number; ssrc: number; ts: number; level: number | null })
    .map((p) => {
      if (!first.has(p.ssrc)) first.set(p.ssrc, p.ts);
      const ticks = (p.ts - (first.get(p.ssrc) ?? 0) + 2 ** 32) % 2 ** 32;
      return {
        time: p.t_us / 1000,
        source: names.get(p.ssrc) ?? String(p.ssrc),
        level: p.level === null ? undefined : p.level === 0 ? 0 : -p.level,
        index: Math.round(ticks / 960),
      };
    });
  return {
    name: 'GStreamer capture',
    durationMs: 20_000,
    speakers: speech.speakers
      .filter((s) => s.speech_ms.length > 0)
      .map((s) => ({ name: s.name, speechMs: s.speech_ms })),
    noise: speech.speakers.find((s) => s.speech_ms.length === 0)?.name,
    packets,
    startMs: 0,
  };
}

/** A recorded live room (`test/fixtures/live/`), as its receiver saw it: arrival times, levels, V bits. */
export function liveRoom(name: (typeof LIVE_ROOMS)[number]): QualityRoom {
  const recording = readLiveRecording(name);
  const title = {
    'digital-silence': 'live, digital silence',
    dither: 'live, dither',
    'mixed-silence': 'live, mixed silence',
    'chromium-model': 'live, Chromium levels',
  }[name];
  return {
    name: title,
    durationMs: recording.durationMs,
    speakers: recording.speakers.map((s) => ({ name: s.name, speechMs: s.speechMs })),
    noise: undefined,
    packets: recording.packets.map(([time, speaker, index, level]) => ({
      time,
      source: recording.speakers[speaker]!.name,
      level: level ?? undefined,
      index,
    })),
    startMs: 0,
  };
}

/** How many times `mixer` pinned a source to an output in `room`: the first pins, then one per switch. */
export function pinCount(room: QualityRoom, mixer: string | Mixer, outputs: number): number {
  const make = typeof mixer === 'string' ? MIXERS[mixer]! : mixer;
  return run(room, (scheduler) => make({ outputs, scheduler })).filter(({ event }) => event.type === 'output-pin')
    .length;
}

function loudFan(room: QualityRoom): QualityRoom {
  return {
    ...room,
    name: `${room.name}, loud fan`,
    packets: room.packets.map((p) =>
      p.source === room.noise && p.level !== undefined ? { ...p, level: Math.min(0, p.level + 15) } : p,
    ),
  };
}

function lateJoin(room: QualityRoom, startMs: number): QualityRoom {
  return { ...room, name: `${room.name}, late join`, startMs };
}

export type Mixer = (o: {
  outputs: number;
  scheduler: VirtualTimeScheduler;
}) => OperatorFunction<SourceEvent<string, number>, OutputEvent<string, number>>;

const MIXERS: Record<string, Mixer> = {
  audioMixer: (o) => audioMixer<string, number>(o),
  speechMixer: (o) => speechMixer<string, number>(o),
};

/** Runs a room through an operator in virtual time; returns what it emitted, with times. */
function run<T>(
  room: QualityRoom,
  make: (scheduler: VirtualTimeScheduler) => OperatorFunction<SourceEvent<string, number>, T>,
) {
  const scheduler = new VirtualTimeScheduler(undefined, Infinity);
  const input = new Subject<SourceEvent<string, number>>();
  const out: { time: number; event: T }[] = [];
  input.pipe(make(scheduler)).subscribe((event) => out.push({ time: scheduler.now(), event }));
  for (const p of room.packets) {
    if (p.time < room.startMs) continue;
    scheduler.schedule(() => {
      input.next(
        p.level === undefined
          ? { type: 'source-pkt', source: p.source, data: p.index }
          : { type: 'source-pkt', source: p.source, level: p.level, data: p.index },
      );
    }, p.time);
  }
  scheduler.schedule(() => {
    input.complete();
  }, room.durationMs + 100);
  scheduler.flush();
  return out;
}

/** The speech packets of each speaker that the mixer could have forwarded: indices in turns, sent after the start. */
function speechPackets(room: QualityRoom): Map<string, Set<number>> {
  const sent = new Map<string, Set<number>>();
  for (const p of room.packets)
    if (p.time >= room.startMs) (sent.get(p.source) ?? sent.set(p.source, new Set()).get(p.source)!).add(p.index);
  const speech = new Map<string, Set<number>>();
  for (const speaker of room.speakers) {
    const set = new Set<number>();
    for (const [start, end] of speaker.speechMs) {
      for (let index = Math.floor(start / PACKET_MS); index < Math.ceil(end / PACKET_MS); index++) {
        if (sent.get(speaker.name)?.has(index)) set.add(index);
      }
    }
    speech.set(speaker.name, set);
  }
  return speech;
}

export interface MixerQuality {
  heard: number;
  best: number;
  onsetMedianMs: number;
  onsetWorstMs: number;
  flaps: number;
  switchesPerMinute: number;
  /** ms the noise source held an output while someone spoke. */
  noiseDuringSpeechMs: number;
  /** The worst onset loss counted from each turn's first packet whose level shows speech ({@link shownOnsets}). */
  onsetWorstShownMs: number;
  /** Speech heard, leaving out each turn's packets before the first whose level shows speech. */
  heardShown: number;
}

/** A turn of speech: its speaker, its packets (indices `first` to `end`, exclusive), and {@link shownOnsets}' `shown`. */
interface Turn {
  speaker: string;
  first: number;
  end: number;
  shown: number | undefined;
}

/**
 * Every turn, with the index of its first packet whose level shows speech: at least 10 dB above the loudest of the three packets before the turn. A sender whose level rides one
 * packet late (the GStreamer capture's) starts each turn with a packet that decodes to speech but carries the
 * background's level: no mixer that reads levels can know it is speech.
 */
export function shownOnsets(room: QualityRoom): Turn[] {
  const levels = new Map<string, Map<number, number>>();
  for (const p of room.packets) {
    if (p.level === undefined) continue;
    (levels.get(p.source) ?? levels.set(p.source, new Map()).get(p.source)!).set(p.index, p.level);
  }
  const turns: Turn[] = [];
  for (const speaker of room.speakers) {
    const own = levels.get(speaker.name) ?? new Map<number, number>();
    for (const [startMs, endMs] of speaker.speechMs) {
      const first = Math.floor(startMs / PACKET_MS);
      const end = Math.ceil(endMs / PACKET_MS);
      const before = Math.max(...[1, 2, 3].map((k) => own.get(first - k) ?? -127));
      let shown: number | undefined;
      for (let index = first; index < end && shown === undefined; index++) {
        if ((own.get(index) ?? -127) >= before + 10) shown = index;
      }
      turns.push({ speaker: speaker.name, first, end, shown });
    }
  }
  return turns;
}

export function mixerQuality(room: QualityRoom, mixer: string | Mixer, outputs: number): MixerQuality {
  const make = typeof mixer === 'string' ? MIXERS[mixer]! : mixer;
  const out = run(room, (scheduler) => make({ outputs, scheduler }));
  const speech = speechPackets(room);
  const forwarded = new Map<string, Set<number>>();
  const pinnedAt = new Map<number, number>();
  const lastUnpin = new Map<number, number>();
  const noisePins: [number, number][] = [];
  let flaps = 0;
  let switches = 0;
  for (const { time, event } of out) {
    if (event.type === 'output-pkt') {
      (forwarded.get(event.source) ?? forwarded.set(event.source, new Set()).get(event.source)!).add(event.data);
    } else if (event.type === 'output-pin') {
      pinnedAt.set(event.output, time);
      if (lastUnpin.get(event.output) === time) switches++;
    } else {
      const since = pinnedAt.get(event.output) ?? time;
      // A flap: a pin shorter than 200 ms, ended by a switch (not by the end of the room).
      if (time - since < 200 && time < room.durationMs) flaps++;
      if (event.source === room.noise) noisePins.push([since, time]);
      lastUnpin.set(event.output, time);
    }
  }
  // Speech heard, and the best possible with `outputs` outputs (per frame, at most `outputs` speakers).
  let total = 0;
  let heard = 0;
  const perFrame = new Map<number, number>();
  for (const [name, indices] of speech) {
    for (const index of indices) {
      total++;
      if (forwarded.get(name)?.has(index)) heard++;
      perFrame.set(index, (perFrame.get(index) ?? 0) + 1);
    }
  }
  let possible = 0;
  for (const speakers of perFrame.values()) possible += Math.min(speakers, outputs);
  // Onset loss: per turn, from its first speech packet to the first one forwarded; and from the first one whose
  // level shows speech.
  const onsets: number[] = [];
  let onsetWorstShownMs = 0;
  let shownTotal = 0;
  let shownHeard = 0;
  const bySpeaker = new Map([...speech].map(([name, indices]) => [name, [...indices].sort((a, b) => a - b)]));
  for (const { speaker, first: start, end, shown } of shownOnsets(room)) {
    const heardHere = forwarded.get(speaker);
    const turn = (bySpeaker.get(speaker) ?? []).filter((i) => i >= start && i < end);
    if (turn.length === 0) continue;
    const first = turn.find((i) => heardHere?.has(i));
    onsets.push(first === undefined ? turn.length * PACKET_MS : (first - turn[0]!) * PACKET_MS);
    const from = Math.max(turn[0]!, shown ?? turn[0]!);
    const loss = first === undefined ? (turn.at(-1)! + 1 - from) * PACKET_MS : Math.max(0, first - from) * PACKET_MS;
    onsetWorstShownMs = Math.max(onsetWorstShownMs, loss);
    for (const i of turn) {
      if (i < from) continue;
      shownTotal++;
      if (heardHere?.has(i)) shownHeard++;
    }
  }
  onsets.sort((a, b) => a - b);
  // Noise held during speech: ms of its pins overlapping someone's speech (on the speakers' own timelines).
  const speaking = new Set(perFrame.keys());
  let noiseMs = 0;
  for (const [from, to] of noisePins) {
    for (let t = from; t < to; t += PACKET_MS) if (speaking.has(Math.floor(t / PACKET_MS))) noiseMs += PACKET_MS;
  }
  return {
    heard: total === 0 ? 1 : heard / total,
    best: total === 0 ? 1 : possible / total,
    onsetMedianMs: onsets[Math.floor((onsets.length - 1) / 2)] ?? 0,
    onsetWorstMs: onsets.at(-1) ?? 0,
    flaps,
    switchesPerMinute: (switches * 60_000) / (room.durationMs - room.startMs),
    noiseDuringSpeechMs: noiseMs,
    onsetWorstShownMs,
    heardShown: shownTotal === 0 ? 1 : shownHeard / shownTotal,
  };
}

export interface DominantQuality {
  /** Share of speech time (frames where someone speaks) in which the dominant speaker is speaking. */
  correct: number;
  changesPerMinute: number;
  turns: number;
}

export function dominantQuality(room: QualityRoom, options: DominantSpeakerOptions = {}): DominantQuality {
  const out = run<DominantSpeakerEvent>(room, (scheduler) =>
    dominantSpeaker<string, number>({ ...options, scheduler }),
  );
  return dominantFrom(room, out);
}

function dominantFrom(room: QualityRoom, out: { time: number; event: DominantSpeakerEvent }[]): DominantQuality {
  const speakingAt = (name: string, ms: number) =>
    room.speakers.find((s) => s.name === name)?.speechMs.some(([a, b]) => ms >= a && ms < b) ?? false;
  let frames = 0;
  let correct = 0;
  let current: string | undefined;
  let next = 0;
  for (let ms = room.startMs; ms < room.durationMs; ms += PACKET_MS) {
    while (next < out.length && out[next]!.time <= ms) current = out[next++]!.event.source;
    const anyone = room.speakers.some((s) => speakingAt(s.name, ms));
    if (!anyone) continue;
    frames++;
    if (current !== undefined && speakingAt(current, ms)) correct++;
  }
  const turns = room.speakers.reduce((n, s) => n + s.speechMs.filter(([, end]) => end > room.startMs).length, 0);
  return {
    correct: frames === 0 ? 1 : correct / frames,
    changesPerMinute: (out.length * 60_000) / (room.durationMs - room.startMs),
    turns,
  };
}

/** The plain design the shipped one is compared with: the loudest normalised level over the last second. */
function loudestQuality(room: QualityRoom): DominantQuality {
  return dominantFrom(
    room,
    run<DominantSpeakerEvent>(room, (scheduler) => (source) => {
      const averages = new Map<string, { level: number; last: number }>();
      let current: string | undefined;
      return source.pipe(
        normaliseLevels<string, number>({ scheduler }),
        mergeMap((event) => {
          if (event.type !== 'source-pkt') return [];
          const now = scheduler.now();
          const level = event.level ?? -127;
          const average = averages.get(event.source) ?? { level: -127, last: now };
          average.level += (level - average.level) * (1 - Math.exp(-Math.max(1, now - average.last) / 1000));
          average.last = now;
          averages.set(event.source, average);
          let best: string | undefined;
          for (const [name, a] of averages) if (best === undefined || a.level > averages.get(best)!.level) best = name;
          const currentLevel = current === undefined ? -Infinity : (averages.get(current)?.level ?? -Infinity);
          if (best === undefined || best === current || averages.get(best)!.level < currentLevel + 6) return [];
          current = best;
          return [{ type: 'dominant-speaker' as const, source: best }];
        }),
      );
    }),
  );
}

export function qualityRooms(): QualityRoom[] {
  const demo = demoRoom();
  const capture = captureRoom();
  return [demo, capture, loudFan(demo), lateJoin(demo, 5000), ...LIVE_ROOMS.map(liveRoom)];
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function qualityTables(): string {
  const rooms = qualityRooms();
  const lines = [
    "Speech heard (share of the speech packets forwarded), the best share possible with that many outputs (overlapping speech can exceed them), onset loss (ms from the start of a turn to its first forwarded packet; median and worst), flaps (pins shorter than 200 ms), switches per minute, and how long the room's noise source held an output while someone spoke.",
    '',
    '| room | outputs | mixer | heard | best possible | onset median | onset worst | flaps | switches/min | noise held during speech |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const room of rooms) {
    for (const outputs of [1, 2, 3]) {
      for (const mixer of Object.keys(MIXERS)) {
        const q = mixerQuality(room, mixer, outputs);
        lines.push(
          `| ${room.name} | ${outputs} | ${mixer} | ${pct(q.heard)} | ${pct(q.best)} | ${q.onsetMedianMs} ms | ${q.onsetWorstMs} ms | ${q.flaps} | ${q.switchesPerMinute.toFixed(1)} | ${q.noiseDuringSpeechMs} ms |`,
        );
      }
    }
  }
  lines.push('');
  for (const room of rooms) {
    const turns = shownOnsets(room);
    const late = turns.filter((t) => t.shown !== undefined && t.shown > t.first).length;
    if (late === 0) continue;
    const [two, three] = [2, 3].map((outputs) => mixerQuality(room, 'speechMixer', outputs));
    lines.push(
      `${room.name}: ${late} of ${turns.length} turns begin with a packet whose level does not show speech yet (not 10 dB above the three packets before the turn). Counted from the first packet whose level shows speech, \`speechMixer\` hears ${pct(two!.heardShown)} of the speech with 2 outputs and ${pct(three!.heardShown)} with 3, and its worst onset loss is ${two!.onsetWorstShownMs} ms and ${three!.onsetWorstShownMs} ms.`,
      '',
    );
  }
  lines.push(
    'Live rooms: pins (the first pins, then one per switch) for the turns taken, as the receiver saw the senders (arrival times, levels); the goal is the turns plus the first pin.',
    '',
    '| room | senders’ silence | turns | outputs | audioMixer pins | speechMixer pins |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  );
  for (const name of LIVE_ROOMS) {
    const room = liveRoom(name);
    const silences = readLiveRecording(name)
      .speakers.map((s) => s.silence)
      .join('; ');
    const turns = room.speakers.reduce((n, s) => n + s.speechMs.length, 0);
    for (const outputs of [1, 2]) {
      lines.push(
        `| ${room.name} | ${silences} | ${turns} | ${outputs} | ${pinCount(room, 'audioMixer', outputs)} | ${pinCount(room, 'speechMixer', outputs)} |`,
      );
    }
  }
  lines.push('');
  lines.push(
    'Dominant speaker: the share of speech time in which the dominant speaker is someone speaking, and changes per minute against the turns taken; `dominantSpeaker()` as shipped, the same with margins at every scale (as Volfin and Cohen), and a plain design (the loudest over the last second, 6 dB of hysteresis).',
  );
  lines.push('');
  lines.push('| room | design | dominant is speaking | changes/min | turns/min |');
  lines.push('| --- | --- | ---: | ---: | ---: |');
  for (const room of rooms) {
    const turns = ((dominantQuality(room).turns * 60_000) / (room.durationMs - room.startMs)).toFixed(1);
    for (const [design, quality] of [
      ['dominantSpeaker()', dominantQuality(room)],
      ['margins at every scale', dominantQuality(room, { quietBelow: 0, mediumMs: 1500, immediateMs: 300 })],
      ['loudest over the last second', loudestQuality(room)],
    ] as const) {
      lines.push(
        `| ${room.name} | ${design} | ${pct(quality.correct)} | ${quality.changesPerMinute.toFixed(1)} | ${turns} |`,
      );
    }
  }
  return lines.join('\n');
}

/**
 * `--sweep`: `speechMixer`'s onset options over a grid, on every room and 1 to 3 outputs, against the targets of
 * #10: per setting, the lowest share of the best possible with 1 output, and the targets it misses.
 */
function sweep(): void {
  const rooms = qualityRooms();
  for (const onsetBoost of [15, 20, 25, 30]) {
    for (const onsetAfter of [100, 200, 300]) {
      for (const onsetFor of [200, 300, 500]) {
        const options = { onsetBoost, onsetAfter, onsetFor };
        const misses: string[] = [];
        let lowest = 1;
        for (const room of rooms) {
          for (const outputs of [1, 2, 3]) {
            const q = mixerQuality(room, (o) => speechMixer<string, number>({ ...o, ...options }), outputs);
            const where = `${room.name}, ${outputs}`;
            if (q.flaps > 0) misses.push(`${where}: ${q.flaps} flaps`);
            if (outputs === 1) {
              lowest = Math.min(lowest, q.heard / q.best);
              if (q.heard / q.best < 0.99) misses.push(`${where}: ${pct(q.heard / q.best)} of the best`);
              if (q.onsetMedianMs > 20) misses.push(`${where}: median onset ${q.onsetMedianMs} ms`);
            } else if (q.heardShown < 1 || q.onsetWorstShownMs > 0) {
              misses.push(`${where}: ${pct(q.heardShown)} heard, worst onset ${q.onsetWorstShownMs} ms`);
            }
            if (room.name.endsWith('loud fan') && q.noiseDuringSpeechMs > 0) misses.push(`${where}: the fan held`);
          }
        }
        console.log(
          `${JSON.stringify(options)}: ${pct(lowest)}; ${misses.length === 0 ? 'all met' : misses.join('; ')}`,
        );
      }
    }
  }
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain && process.argv.includes('--sweep')) {
  sweep();
} else if (isMain) {
  const tables = qualityTables();
  console.log(tables);
  const pageUrl = new URL('../docs/quality.md', import.meta.url);
  const page = readFileSync(pageUrl, 'utf8');
  const updated = page.replace(
    /<!-- quality:start -->[\s\S]*<!-- quality:end -->/,
    `<!-- quality:start -->\n${tables}\n<!-- quality:end -->`,
  );
  if (process.argv.includes('--check')) {
    if (updated !== page) {
      console.error('quality: the table in docs/quality.md is not what the script measures; run npm run quality');
      process.exit(1);
    }
  } else {
    writeFileSync(pageUrl, updated);
  }
}
