// The live room through real parts: three espeak-ng speakers take turns, each sent by the documented GStreamer sender
// (docs/rtp.md) into `npm run rtp-demo`; the documented receiver decodes each output. Pins at most once per turn plus the first pin
// with speechMixer, with 1 and 2 outputs, whether the senders' silence is alike (digital silence, which GStreamer
// reads as a steady -59 dBov) or differs (digital silence, dither, a hum at -60); audioMixer flaps on the same room.
//
// Needs GStreamer and espeak-ng (`.ci/run` installs them). Outside CI without them the test skips, saying how to
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
  LIVE_MS,
  LIVE_TURNS,
  missingTools,
  readmeCommands,
  readSamples,
  SAMPLE_RATE,
  senderCommand,
  senderTrack,
  settled,
  speak,
  start,
  stats,
  writeSamples,
  type Process,
  type Silence,
} from './gstreamer.js';

const missing = missingTools();
if (missing.length > 0 && process.env.CI === undefined) {
  console.warn(`skipping the live room: ${missing.join(' and ')} not installed (${INSTALL})`);
}

const children: Process[] = [];
afterAll(() => {
  killAll(children);
});

/**
 * Runs the live room: `silences` for the three senders, `outputs` outputs, `mixerFlag` for rtp-demo. Returns the pins
 * the server counted (all outputs) while every sender was sending and, per turn, how well its loudness contour matches the best decoded output.
 */
async function liveRoom(silences: Silence[], outputs: number, mixerFlag = ''): Promise<{ pins: number; matches: number[] }> {
  const { server, receiver } = readmeCommands();
  const folder = mkdtempSync(join(tmpdir(), 'rx-audio-mixer-live-'));
  try {
    const speech = LIVE_TURNS.map((turn, k) => {
      const samples = speak(turn, folder);
      writeSamples(join(folder, `${turn.speaker}.wav`), senderTrack(samples, turn, silences[k]!, LIVE_MS, 7 + k).samples, SAMPLE_RATE);
      return envelope(samples, SAMPLE_RATE);
    });
    const mixerPort = await freePorts(1);
    const listenerPort = await freePorts(outputs);
    const mixer = start(
      server
        .replace('--port 5004', `--port ${mixerPort}`)
        .replace('--outputs 3', `--outputs ${outputs}${mixerFlag}`)
        .replace('127.0.0.1:6000', `127.0.0.1:${listenerPort}`),
    );
    children.push(mixer);
    const files = Array.from({ length: outputs }, (_, k) => join(folder, `output-${k}.wav`));
    const receivers = files.map((file, k) => {
      const child = start(
        receiver
          .replace('gst-launch-1.0 ', 'gst-launch-1.0 -e ')
          .replace('port=6000', `port=${listenerPort + 2 * k}`)
          .replace('autoaudiosink', `audioconvert ! audio/x-raw,format=S16LE ! wavenc ! filesink location=${file}`),
      );
      children.push(child);
      return child;
    });
    const ports = files.map((_, k) => listenerPort + 2 * k);
    await listening(mixer);
    await bound(ports);
    const senders = LIVE_TURNS.map((turn) => {
      const child = start(senderCommand(join(folder, `${turn.speaker}.wav`), mixerPort));
      children.push(child);
      return child;
    });
    // Pins are counted while every sender still sends: once one stops, its source times out and a refill pins
    // another (rule 4), which is no switch between turns. rtp-demo prints its counts every second: the last line
    // before the first sender ends has seen the last turn begin (more than 1 s of silence ends every track).
    await Promise.race(senders.map((child) => exited(child, 60_000)));
    const whileSending = stats(mixer).at(-1);
    const codes = await Promise.all(senders.map((child) => exited(child, 60_000)));
    const statsAtEnd = stats(mixer).length;
    expect(codes, senders.map((s) => s.output()).join('\n')).toStrictEqual([0, 0, 0]);
    await settled(mixer, statsAtEnd);
    await drained(ports);
    receivers.forEach(interrupt);
    await Promise.all(receivers.map((child) => exited(child, 10_000)));
    interrupt(mixer);
    await exited(mixer, 10_000);
    expect(whileSending, mixer.output()).toBeDefined();
    const pins = whileSending!.pins;
    const heard = files.map((file) => {
      const { samples, rate } = readSamples(file);
      return envelope(samples, rate);
    });
    return { pins, matches: speech.map((turn) => Math.max(...heard.map((output) => bestMatch(turn, output)))) };
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
    it(`speechMixer, ${outputs} output(s), senders’ silence ${silences.join(', ')}: at most ${TURNS + 1} pins, every turn heard`, { timeout: 120_000 }, async () => {
      expect(missing, `missing in CI: ${INSTALL}`).toStrictEqual([]);
      const { pins, matches } = await liveRoom(silences, outputs);
      console.log(`live room, speechMixer, ${outputs} output(s), ${silences.join(', ')}: ${pins} pins for ${TURNS} turns; matches ${matches.map((m) => m.toFixed(3)).join(', ')}`);
      expect(pins).toBeGreaterThan(0);
      expect(pins).toBeLessThanOrEqual(TURNS + 1);
      for (const [k, match] of matches.entries()) expect(match, `turn ${k}`).toBeGreaterThan(0.85);
    });
  }

  it('audioMixer on the same room (silences that differ, 1 output) switches more than once per turn', { timeout: 120_000 }, async () => {
    expect(missing, `missing in CI: ${INSTALL}`).toStrictEqual([]);
    const { pins } = await liveRoom(['digital', 'dither', 'hum'], 1, ' --mixer audio');
    console.log(`live room, audioMixer, 1 output: ${pins} pins for ${TURNS} turns`);
    expect(pins).toBeGreaterThan(TURNS + 1);
  });
});
