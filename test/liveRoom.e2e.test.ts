// The live room through real parts: three espeak-ng speakers take turns, each sent by the documented GStreamer sender
// (docs/rtp.md) into `npm run rtp-demo`; the documented receiver decodes each output. speechMixer pins at most once per
// turn, with 1 and 2 outputs, whether the senders' silence is alike (digital silence, which GStreamer reads as a
// steady -59 dBov) or differs (digital silence, dither, a hum at -60); audioMixer flaps on the same room.
//
// What the rules promise, and so what is counted: the senders start in turn (`startInTurn`), so the first to reach
// rtp-demo are the first speakers; they take the free outputs as they come (rule 1), and each later turn takes an
// output once at most (rule 2, the steady floor keeping every sender's silence below speech): at most one pin per
// turn. Pins are counted while every sender still sends: once one stops, its source times out and a refill pins
// another (rules 5 and 4), which is no switch between turns.
//
// Needs GStreamer and espeak-ng (`.ci/run` installs them). Outside CI without them the test skips, saying how to
// install them; in CI it fails instead.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  bestMatch,
  envelope,
  INSTALL,
  killAll,
  LIVE_MS,
  LIVE_TURNS,
  missingTools,
  mixLive,
  pinsFor,
  SAMPLE_RATE,
  senderTrack,
  speak,
  writeSamples,
  type Process,
  type Silence,
} from './gstreamer.js';

const missing = missingTools('the live room');

const children: Process[] = [];
afterAll(() => {
  killAll(children);
});

/**
 * Runs the live room: `silences` for the three senders, `outputs` outputs, `flags` for rtp-demo. Returns the pins the
 * server counted (all outputs) while every sender sent and once all had stopped, and per turn how well its loudness
 * contour matches the best decoded output.
 */
async function liveRoom(silences: Silence[], outputs: number, flags = '') {
  const folder = mkdtempSync(join(tmpdir(), 'rx-audio-mixer-live-'));
  try {
    const tracks = LIVE_TURNS.map((turn) => join(folder, `${turn.speaker}.wav`));
    const speech = LIVE_TURNS.map((turn, k) => {
      const samples = speak(turn, folder);
      writeSamples(tracks[k]!, senderTrack(samples, turn, silences[k]!, LIVE_MS, 7 + k).samples, SAMPLE_RATE);
      return envelope(samples, SAMPLE_RATE);
    });
    const mix = await mixLive(tracks, { folder, outputs, flags, lastTurnMs: LIVE_TURNS.at(-1)!.startMs, children });
    expect(mix.log).toMatch(/received \d+ \(0 invalid\)/);
    const heard = mix.decoded.map(({ samples, rate }) => envelope(samples, rate));
    return { ...mix, matches: speech.map((turn) => Math.max(...heard.map((output) => bestMatch(turn, output)))) };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

const TURNS = LIVE_TURNS.length;

describe.skipIf(missing.length > 0 && process.env.CI === undefined)('the live room: GStreamer senders in turn through npm run rtp-demo', () => {
  for (const [silences, outputs] of [
    [['digital', 'dither', 'hum'], 1],
    [['digital', 'dither', 'hum'], 2],
    [['digital', 'digital', 'digital'], 1],
  ] as [Silence[], number][]) {
    it(`speechMixer, ${outputs} output(s), senders’ silence ${silences.join(', ')}: at most one pin per turn, every turn heard`, { timeout: 120_000 }, async () => {
      expect(missing, `missing in CI: ${INSTALL}`).toStrictEqual([]);
      const mix = await liveRoom(silences, outputs);
      const { pins, pinsAtEnd, longestGapMs, matches } = mix;
      console.log(`live room, speechMixer, ${outputs} output(s), ${silences.join(', ')}: ${pins} pins for ${TURNS} turns (${pinsAtEnd} once every sender stopped); longest gap ${longestGapMs} ms; matches ${matches.map((m) => m.toFixed(3)).join(', ')}`);
      expect(pins).toBeGreaterThan(0);
      expect(pins, pinsFor(mix, TURNS)).toBeLessThanOrEqual(TURNS);
      for (const [k, match] of matches.entries()) expect(match, `turn ${k}`).toBeGreaterThan(0.85);
    });
  }

  it('audioMixer on the same room (silences that differ, 1 output) switches more than once per turn', { timeout: 120_000 }, async () => {
    expect(missing, `missing in CI: ${INSTALL}`).toStrictEqual([]);
    const { pins } = await liveRoom(['digital', 'dither', 'hum'], 1, ' --mixer audio');
    console.log(`live room, audioMixer, 1 output: ${pins} pins for ${TURNS} turns while every sender sent`);
    expect(pins).toBeGreaterThan(TURNS + 1);
  });
});
