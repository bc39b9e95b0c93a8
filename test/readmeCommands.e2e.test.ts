// The documentation's shell commands (README and docs/, today docs/rtp.md), run as written: `npm run rtp-demo`, the
// GStreamer sender pipeline (one per espeak-ng speaker, taking turns) and the receiver pipeline (its audio sink swapped
// for a WAV file). The decoded outputs must hold every turn's speech. Only the ports (free ones on loopback) and file
// names are substituted.
//
// The senders' silences differ (digital silence, dither, a hum), so that the test tells speechMixer, which the
// documented command runs, from audioMixer: with audioMixer the pins exceed the bound and the test fails.
//
// Needs GStreamer and espeak-ng (`.ci/run` installs them). Outside CI without them, the test skips and says how to
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
  missingTools,
  mixLive,
  pinsFor,
  SAMPLE_RATE,
  senderTrack,
  speak,
  TURNS,
  writeSamples,
  type Process,
  type Silence,
} from './gstreamer.js';

const missing = missingTools("the README's GStreamer commands");

const children: Process[] = [];
afterAll(() => {
  killAll(children);
});

/**
 * What each speaker's sender sends when its speaker is silent: they differ, as real senders do (GStreamer reads
 * digital silence as a steady -59 dBov, dither as -96). With raw levels (`audioMixer`), a sender's silence takes an
 * output in another speaker's pauses; `speechMixer` ranks each as silence.
 */
const SILENCES: Silence[] = ['digital', 'dither', 'hum', 'digital'];

describe.skipIf(missing.length > 0 && process.env.CI === undefined)("the README's GStreamer commands", () => {
  it(
    'rtp-demo mixes four espeak-ng speakers sent by the README sender; the README receiver decodes every turn',
    { timeout: 180_000 },
    async () => {
      expect(missing, `missing in CI: ${INSTALL}`).toStrictEqual([]);
      const folder = mkdtempSync(join(tmpdir(), 'rx-audio-mixer-gst-'));
      try {
        const totalMs = 17000;
        const tracks = TURNS.map((turn) => join(folder, `${turn.speaker}.wav`));
        const speech = TURNS.map((turn, k) => {
          const samples = speak(turn, folder);
          writeSamples(tracks[k]!, senderTrack(samples, turn, SILENCES[k]!, totalMs, 7 + k).samples, SAMPLE_RATE);
          return envelope(samples, SAMPLE_RATE);
        });
        // The documented rtp-demo command as written (3 outputs, speechMixer), its ports substituted.
        const mix = await mixLive(tracks, { folder, outputs: 3, lastTurnMs: TURNS.at(-1)!.startMs, children });
        expect(mix.log).toMatch(/received \d+ \(0 invalid\)/);
        // The mixer the documentation runs (speechMixer) follows the turns. The senders start in turn, so the first
        // three to send are the first three speakers and take the outputs (rule 1); the fourth turn takes one (rule
        // 2): one pin per turn at most, counted while every sender sends (after that, a stopped sender's source times
        // out and a refill pins another: rules 5 and 4). The plain audioMixer (`--mixer audio`) pins 18 times: a
        // sender's silence takes outputs in the speakers' pauses.
        console.log(`README commands: ${mix.pins} pins for ${TURNS.length} turns (${mix.pinsAtEnd} once every sender stopped); longest gap ${mix.longestGapMs} ms`);
        expect(mix.pins, pinsFor(mix, TURNS.length)).toBeLessThanOrEqual(TURNS.length);

        const outputs = mix.decoded.map(({ samples, rate }) => {
          expect(rate).toBe(48000);
          return envelope(samples, rate);
        });
        // Every turn's speech, with its own loudness contour, is in one of the decoded outputs.
        const matches = speech.map((turn) => Math.max(...outputs.map((output) => bestMatch(turn, output))));
        console.log(`README commands: best match of each turn in the decoded outputs: ${matches.map((m) => m.toFixed(3)).join(', ')}`);
        for (const [k, match] of matches.entries()) expect(match, `${TURNS[k]!.speaker}'s turn`).toBeGreaterThan(0.85);
        // The measure tells speakers apart: no turn matches another speaker's speech that well.
        for (const [k, turn] of speech.entries()) {
          for (const [j, other] of speech.entries()) {
            const longer = other.length >= turn.length ? other : Float64Array.from([...other, ...new Float64Array(turn.length)]);
            if (j !== k) expect(bestMatch(turn, longer), `${TURNS[k]!.speaker} vs ${TURNS[j]!.speaker}`).toBeLessThan(0.6);
          }
        }
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    },
  );
});
