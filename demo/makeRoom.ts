/**
 * `npm run make-room`: synthesises the demo's default room into demo/room/ (WAV files and room.json), the same
 * every time. Speech is imitated, not spoken: voiced syllables (a few harmonics of a drifting pitch under a
 * 3-6 Hz syllable envelope) with pauses, over each speaker's own quiet noise floor, so that levels behave like
 * speech: loud onsets, dips between syllables, a noise floor between turns.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SAMPLE_RATE, wavBytes, type RoomTruth } from './room.js';
import { random } from '../scripts/random.js';

const DURATION_MS = 20_000;

interface Voice {
  name: string;
  role: RoomTruth['speakers'][number]['role'];
  pitchHz: number;
  gain: number;
  noiseFloor: number;
  endMs: number;
  speechMs: [number, number][];
}

const voices: Voice[] = [
  {
    name: 'alice',
    role: 'talker',
    pitchHz: 210,
    gain: 0.45,
    noiseFloor: 0.0008,
    endMs: 20_000,
    speechMs: [
      [500, 3800],
      [9200, 12400],
      [15800, 19300],
    ],
  },
  {
    name: 'bob',
    role: 'talker',
    pitchHz: 115,
    gain: 0.3,
    noiseFloor: 0.001,
    endMs: 20_000,
    speechMs: [
      [4000, 7200],
      [12200, 15200],
    ],
  },
  {
    name: 'carol',
    role: 'leaves-early',
    pitchHz: 240,
    gain: 0.24,
    noiseFloor: 0.0007,
    endMs: 11_000,
    speechMs: [[6900, 9600]],
  },
  { name: 'dave', role: 'background', pitchHz: 0, gain: 0, noiseFloor: 0.004, endMs: 20_000, speechMs: [] },
  {
    name: 'erin',
    role: 'talker',
    pitchHz: 175,
    gain: 0.35,
    noiseFloor: 0.0009,
    endMs: 20_000,
    speechMs: [
      [2200, 2900],
      [10400, 11300],
      [17600, 18600],
    ],
  },
];

export function synthesise(voice: Voice, seed: number): Float32Array {
  const next = random(seed);
  const samples = new Float32Array(Math.round((voice.endMs / 1000) * SAMPLE_RATE));
  // A noise floor, low-passed so that it sounds like a room rather than hiss; the background source adds a hum.
  let smoothed = 0;
  for (let i = 0; i < samples.length; i++) {
    smoothed += 0.2 * (next() * 2 - 1 - smoothed);
    const hum = voice.role === 'background' ? 0.5 * Math.sin((2 * Math.PI * 100 * i) / SAMPLE_RATE) : 0;
    samples[i] = voice.noiseFloor * (2.5 * smoothed + hum);
  }
  for (const [start, end] of voice.speechMs) {
    let t = start;
    while (t < end) {
      const syllableMs = Math.min(end - t, 110 + next() * 200);
      const from = Math.round((t / 1000) * SAMPLE_RATE);
      const length = Math.round((syllableMs / 1000) * SAMPLE_RATE);
      const pitch = voice.pitchHz * (0.85 + 0.3 * next());
      const bright = 0.4 + 0.5 * next();
      const loudness = voice.gain * (0.6 + 0.4 * next());
      for (let n = 0; n < length && from + n < samples.length; n++) {
        const envelope = Math.sin((Math.PI * n) / length) ** 0.6;
        const phase = (2 * Math.PI * pitch * (1 + 0.05 * Math.sin((2 * Math.PI * n) / length)) * n) / SAMPLE_RATE;
        let voiced = 0;
        for (let k = 1; k <= 8; k++) voiced += (bright ** (k - 1) / k) * Math.sin(k * phase);
        samples[from + n] = (samples[from + n] ?? 0) + loudness * envelope * voiced * 0.6;
      }
      // Short gaps between syllables, now and then a longer breath.
      t += syllableMs + (next() < 0.15 ? 180 + next() * 150 : 20 + next() * 60);
    }
  }
  return samples;
}

function main(): void {
  const folder = fileURLToPath(new URL('./room/', import.meta.url));
  mkdirSync(folder, { recursive: true });
  const truth: RoomTruth = {
    sampleRate: SAMPLE_RATE,
    durationMs: DURATION_MS,
    speakers: voices.map((voice, index) => {
      writeFileSync(`${folder}${voice.name}.wav`, wavBytes(synthesise(voice, 1000 + index)));
      return { name: voice.name, file: `${voice.name}.wav`, role: voice.role, speechMs: voice.speechMs };
    }),
  };
  writeFileSync(`${folder}room.json`, `${JSON.stringify(truth, null, 2)}\n`);
  console.log(`wrote ${voices.length} sources and room.json to ${folder}`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main();
