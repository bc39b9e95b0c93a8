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
  bound,
  drained,
  envelope,
  exited,
  freePorts,
  INSTALL,
  interrupt,
  killAll,
  listening,
  missingTools,
  readmeCommands,
  readSamples,
  SAMPLE_RATE,
  senderTrack,
  settled,
  speak,
  start,
  stats,
  TURNS,
  writeSamples,
  type Process,
  type Silence,
} from './gstreamer.js';

const missing = missingTools();
if (missing.length > 0 && process.env.CI === undefined) {
  console.warn(`skipping the README's GStreamer commands: ${missing.join(' and ')} not installed (${INSTALL})`);
}

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
      const { server, sender, receiver } = readmeCommands();
      const folder = mkdtempSync(join(tmpdir(), 'rx-audio-mixer-gst-'));
      try {
        const totalMs = 17000;
        const speech = TURNS.map((turn, k) => {
          const samples = speak(turn, folder);
          const { samples: track } = senderTrack(samples, turn, SILENCES[k]!, totalMs, 7 + k);
          writeSamples(join(folder, `${turn.speaker}.wav`), track, SAMPLE_RATE);
          return envelope(samples, SAMPLE_RATE);
        });

        const mixerPort = await freePorts(1);
        const listenerPort = await freePorts(3);
        const serverCommand = server.replace('--port 5004', `--port ${mixerPort}`).replace('127.0.0.1:6000', `127.0.0.1:${listenerPort}`);
        expect(serverCommand).not.toBe(server);
        const mixer = start(serverCommand);
        children.push(mixer);
        const receivers = [0, 1, 2].map((k) => {
          const command = receiver
            .replace('gst-launch-1.0 ', 'gst-launch-1.0 -e ')
            .replace('port=6000', `port=${listenerPort + 2 * k}`)
            .replace('autoaudiosink', `audioconvert ! audio/x-raw,format=S16LE ! wavenc ! filesink location=${join(folder, `output-${k}.wav`)}`);
          const child = start(command);
          children.push(child);
          return child;
        });
        const ports = [0, 1, 2].map((k) => listenerPort + 2 * k);
        await listening(mixer);
        await bound(ports);

        const senders = TURNS.map((turn) => {
          const command = sender.replace('location=alice.wav', `location=${join(folder, `${turn.speaker}.wav`)}`).replace('port=5004', `port=${mixerPort}`);
          const child = start(command);
          children.push(child);
          return child;
        });
        // Pins are counted while every sender still sends (rtp-demo prints them every second): once one stops, its
        // source times out and a refill pins another (rule 4), which is no switch between turns.
        await Promise.race(senders.map((child) => exited(child, 60_000)));
        const whileSending = stats(mixer).at(-1);
        const codes = await Promise.all(senders.map((child) => exited(child, 60_000)));
        const statsAtEnd = stats(mixer).length;
        expect(codes, senders.map((s) => s.output()).join('\n')).toStrictEqual([0, 0, 0, 0]);
        await settled(mixer, statsAtEnd);
        await drained(ports);
        receivers.forEach(interrupt);
        await Promise.all(receivers.map((child) => exited(child, 10_000)));
        interrupt(mixer);
        await exited(mixer, 10_000); // npm passes the interrupt on to the demo, which closes its socket
        expect(mixer.output()).toMatch(/received \d+ \(0 invalid\)/);
        // The mixer the documentation runs (speechMixer) follows the turns: the first pins, then one per turn at
        // most. The plain audioMixer (`--mixer audio`) does not: a sender's silence takes outputs in the pauses.
        expect(whileSending, mixer.output()).toBeDefined();
        const pins = whileSending!.pins;
        console.log(`README commands: ${pins} pins for ${TURNS.length} turns`);
        expect(pins).toBeLessThanOrEqual(TURNS.length + 1);

        const outputs = [0, 1, 2].map((k) => {
          const { samples, rate } = readSamples(join(folder, `output-${k}.wav`));
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
