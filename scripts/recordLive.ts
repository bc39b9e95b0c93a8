/**
 * `npx tsx scripts/recordLive.ts [folder]`: records the live rooms of `test/fixtures/live/` (default folder). Three
 * espeak-ng speakers take turns (about 4 s each, never overlapping), each sent in real time by the documented GStreamer
 * sender pipeline; a UDP listener (one port per sender) writes down each packet's arrival time, RFC 6464 level and V
 * bit, and its index in its sender's stream (RTP timestamp / 960). One room per kind of silence: every sender sending
 * digital silence, every sender dithering, and three senders whose silence differs (digital silence, dither, a hum
 * at -60 dBov). Then writes `chromium-model.json`, Chromium's levels modelled on the digital silence room.
 *
 * Needs GStreamer and espeak-ng. See `test/fixtures/live/README.md`.
 */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { from } from 'rxjs';
import { fromRtpPackets } from 'rx-audio-mixer/rtp';
import {
  exited,
  LIVE_MS,
  LIVE_TURNS,
  SAMPLE_RATE,
  senderCommand,
  senderTrack,
  speak,
  start,
  writeSamples,
  type Silence,
} from '../test/gstreamer.js';
import { chromiumModel, type LiveRecording } from '../test/liveRecordings.js';

const ROOMS: Record<string, Silence[]> = {
  'digital-silence': ['digital', 'digital', 'digital'],
  dither: ['dither', 'dither', 'dither'],
  'mixed-silence': ['digital', 'dither', 'hum'],
};

async function record(name: string, silences: Silence[], folder: string): Promise<LiveRecording> {
  const speakers = LIVE_TURNS.map((turn, k) => {
    const { samples, speechMs } = senderTrack(speak(turn, folder), turn, silences[k]!, LIVE_MS, 7 + k);
    const file = join(folder, `${name}-${turn.speaker}.wav`);
    writeSamples(file, samples, SAMPLE_RATE);
    return { name: turn.speaker, silence: silences[k]!, speechMs: [speechMs], file };
  });
  const sockets: Socket[] = speakers.map(() => createSocket('udp4'));
  for (const socket of sockets) socket.bind(0, '127.0.0.1');
  await Promise.all(sockets.map((socket) => once(socket, 'listening')));
  const arrivals: { t: number; speaker: number; datagram: Uint8Array }[] = [];
  sockets.forEach((socket, speaker) =>
    socket.on('message', (message: Buffer) => {
      arrivals.push({ t: performance.now(), speaker, datagram: new Uint8Array(message) });
    }),
  );
  const senders = speakers.map((speaker, k) => start(senderCommand(speaker.file, sockets[k]!.address().port)));
  const codes = await Promise.all(senders.map((sender) => exited(sender, 60_000)));
  if (codes.some((code) => code !== 0)) throw new Error(senders.map((s) => s.output()).join('\n'));
  // The last datagrams are on loopback already: let the event loop read them.
  await new Promise((resolve) => setImmediate(resolve));
  for (const socket of sockets) socket.close();

  const first = new Map<number, number>();
  const t0 = arrivals[0]?.t ?? 0;
  const packets: LiveRecording['packets'] = [];
  for (const { t, speaker, datagram } of arrivals) {
    from([datagram])
      .pipe(fromRtpPackets({ extensionId: 1 }))
      .subscribe((event) => {
        if (event.type !== 'source-pkt') return;
        const data = event.data;
        if (!first.has(speaker)) first.set(speaker, data.timestamp);
        const index = Math.round(((data.timestamp - first.get(speaker)! + 2 ** 32) % 2 ** 32) / 960);
        const v = data.voiceActivity === undefined ? null : data.voiceActivity ? 1 : 0;
        packets.push([Math.round((t - t0) * 100) / 100, speaker, index, data.level ?? null, v]);
      });
  }
  return {
    room: name,
    durationMs: LIVE_MS,
    speakers: speakers.map(({ name: speaker, silence, speechMs }) => ({ name: speaker, silence, speechMs })),
    packets,
  };
}

const folder = process.argv[2] ?? fileURLToPath(new URL('../test/fixtures/live/', import.meta.url));
mkdirSync(folder, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'rx-audio-mixer-record-'));
try {
  for (const [name, silences] of Object.entries(ROOMS)) {
    const recording = await record(name, silences, work);
    writeFileSync(join(folder, `${name}.json`), `${JSON.stringify(recording)}\n`);
    console.log(`${name}: ${recording.packets.length} packets`);
    if (name === 'digital-silence') {
      const model = chromiumModel(recording);
      writeFileSync(join(folder, 'chromium-model.json'), `${JSON.stringify(model)}\n`);
      console.log(`chromium-model: ${model.packets.length} packets`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
