// The live rooms of test/fixtures/live/ (recorded by scripts/recordLive.ts): reading them, and Chromium's levels
// modelled on one of them.
import { readFileSync } from 'node:fs';

/**
 * A live room as a receiver saw it: per packet its arrival time (ms from the first packet), its sender (an index in
 * `speakers`), its index in the sender's stream (RTP timestamp / 960: the 20 ms frame it carries), its RFC 6464 level
 * in dBov (`null`: no level) and V bit (`null`: none).
 */
export interface LiveRecording {
  room: string;
  durationMs: number;
  speakers: { name: string; silence: string; speechMs: [number, number][] }[];
  packets: [t: number, speaker: number, index: number, level: number | null, v: 0 | 1 | null][];
}

/** The live rooms recorded, by file name. */
export const LIVE_ROOMS = ['digital-silence', 'dither', 'mixed-silence', 'chromium-model'] as const;

export function readLiveRecording(name: (typeof LIVE_ROOMS)[number]): LiveRecording {
  return JSON.parse(
    readFileSync(new URL(`./fixtures/live/${name}.json`, import.meta.url), 'utf8'),
  ) as LiveRecording;
}

/**
 * Chromium's levels modelled on a recorded room, packet by packet with the recorded arrival times: its senders
 * report digital silence as -127, dithered silence as -103 to -106, speech as recorded (-11 to -50); with Opus DTX a
 * silent sender sends a packet pair every 400 ms, with the V bit 0. The first speaker sends digital silence with
 * DTX, the second dither with DTX, the third dither without DTX; in the speech, pauses (GStreamer's -59 and below) become dither.
 */
export function chromiumModel(recording: LiveRecording): LiveRecording {
  let seed = 11;
  const dither = () => -103 - ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 30);
  const packets: LiveRecording['packets'] = [];
  for (const [t, speaker, index, level] of recording.packets) {
    const ms = index * 20;
    const speaking = recording.speakers[speaker]!.speechMs.some(([a, b]) => ms >= a - 100 && ms < b + 100);
    // GStreamer's digital silence (-59) is no speech: only levels above it are.
    if (speaking && level !== null && level > -59) {
      packets.push([t, speaker, index, level, level > -50 ? 1 : 0]);
      continue;
    }
    const dtx = speaker < 2 && !speaking;
    if (dtx && index % 20 > 1) continue;
    packets.push([t, speaker, index, speaker === 0 && !speaking ? -127 : dither(), 0]);
  }
  return {
    room: 'chromium-model',
    durationMs: recording.durationMs,
    speakers: recording.speakers.map((s, k) => ({ ...s, silence: ['digital, DTX', 'dither, DTX', 'dither'][k]! })),
    packets,
  };
}
