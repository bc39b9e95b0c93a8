// `npm run quality` on real speech: the quality tables of docs/quality.md are what the script measures, and speechMixer,
// dominantSpeaker and the capture meet what docs/quality.md says of them. End-to-end by its cost (seconds of CPU over
// every room), not by its I/O; the rules themselves are tested in speech.test.ts.
import { readFileSync } from 'node:fs';
import { OpusDecoder } from 'opus-decoder';
import { packets } from 'rtp.js';
import { describe, expect, it } from 'vitest';
import { qualityRooms, qualityTables, dominantQuality, mixerQuality, pinCount, shownOnsets } from '../scripts/quality.js';
import { readDatagrams, readSpeakers } from './fixtures.js';

describe('npm run quality', () => {
  const rooms = qualityRooms();
  it('docs/quality.md shows what the script measures', () => {
    const page = readFileSync(new URL('../docs/quality.md', import.meta.url), 'utf8');
    const shown = /<!-- quality:start -->\n([\s\S]*?)\n<!-- quality:end -->/.exec(page)?.[1];
    expect(shown).toBe(qualityTables());
  });

  it('the README says what the script measures: a live room, a loud fan, 1 output', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const live = rooms.find((room) => room.name === 'live, mixed silence')!;
    const turns = live.speakers.reduce((n, s) => n + s.speechMs.length, 0);
    const fan = rooms.find((room) => room.name === 'demo room, loud fan')!;
    const held = (mixer: string) => mixerQuality(fan, mixer, 1).noiseDuringSpeechMs / 1000;
    expect(readme).toContain(
      `switches once per turn (${pinCount(live, 'speechMixer', 1)} pins for ${turns} turns; \`audioMixer\`: ${pinCount(live, 'audioMixer', 1)})`,
    );
    expect(held('speechMixer')).toBe(0);
    expect(readme).toContain(
      `a loud fan holds no output while people speak (\`audioMixer\`: ${held('audioMixer')} s of ${fan.durationMs / 1000})`,
    );
  });

  it('speechMixer meets its targets: every room, 1 to 3 outputs', () => {
    for (const room of rooms) {
      // The capture's and the live rooms' levels come from GStreamer, one packet late.
      const capture = room.name.startsWith('GStreamer') || room.name.startsWith('live');
      for (const outputs of [1, 2, 3]) {
        const q = mixerQuality(room, 'speechMixer', outputs);
        const where = `${room.name}, ${outputs}`;
        expect(q.flaps, where).toBe(0);
        if (outputs === 1) {
          expect(q.heard / q.best, where).toBeGreaterThanOrEqual(0.99);
          expect(q.onsetMedianMs, where).toBeLessThanOrEqual(20);
        } else if (capture) {
          // Its turns begin with a packet whose level is late (see the next test): counted from the level's onset.
          expect(q.heardShown, where).toBe(1);
          expect(q.onsetWorstShownMs, where).toBe(0);
        } else {
          expect(q.heard, where).toBe(1);
          expect(q.onsetWorstMs, where).toBe(0);
        }
      }
    }
  });

  it('the capture’s level rides one packet late: each turn’s first packet decodes to speech but carries the background’s level', async () => {
    const capture = rooms.find((r) => r.name === 'GStreamer capture')!;
    const turns = shownOnsets(capture);
    expect(turns).toHaveLength(8);
    for (const turn of turns) expect(turn.shown, turn.speaker).toBe(turn.first + 1);
    // Decode each speaker's Opus stream: the turn's first packet is already speech, 20 dB above the one before it.
    const ssrcs = new Map(readSpeakers().map((s) => [s.ssrc, s.name]));
    const energy = new Map<string, Map<number, number>>();
    const firstTs = new Map<number, number>();
    const decoders = new Map<number, OpusDecoder>();
    for (const { payload } of await readDatagrams('conversation')) {
      const rtp = new packets.RtpPacket(new DataView(payload.buffer, payload.byteOffset, payload.byteLength));
      const ssrc = rtp.getSsrc();
      let decoder = decoders.get(ssrc);
      if (decoder === undefined) {
        decoder = new OpusDecoder();
        await decoder.ready;
        decoders.set(ssrc, decoder);
        firstTs.set(ssrc, rtp.getTimestamp());
      }
      const opus = rtp.getPayload();
      const samples = decoder.decodeFrame(new Uint8Array(opus.buffer, opus.byteOffset, opus.byteLength)).channelData[0]!;
      let sum = 0;
      for (const x of samples) sum += x * x;
      const index = Math.round(((rtp.getTimestamp() - firstTs.get(ssrc)! + 2 ** 32) % 2 ** 32) / 960);
      const name = ssrcs.get(ssrc)!;
      (energy.get(name) ?? energy.set(name, new Map()).get(name)!).set(index, 10 * Math.log10(sum / samples.length + 1e-12));
    }
    for (const decoder of decoders.values()) decoder.free();
    for (const turn of turns) {
      const dB = energy.get(turn.speaker)!;
      expect(dB.get(turn.first)! - dB.get(turn.first - 1)!, `${turn.speaker} at packet ${turn.first}`).toBeGreaterThan(20);
    }
  });

  it('the loud fan never holds an output while someone speaks with speechMixer; it does with audioMixer', () => {
    const fan = rooms.find((r) => r.name.endsWith('loud fan'))!;
    for (const outputs of [1, 2, 3]) expect(mixerQuality(fan, 'speechMixer', outputs).noiseDuringSpeechMs).toBe(0);
    expect(mixerQuality(fan, 'audioMixer', 1).heard).toBeLessThan(0.1);
  });

  it('dominantSpeaker: at least 95% of speech time right on the demo room and the capture, no more changes than turns', () => {
    for (const room of rooms.slice(0, 2)) {
      const d = dominantQuality(room);
      expect(d.correct, room.name).toBeGreaterThanOrEqual(0.95);
      expect((d.changesPerMinute * 20_000) / 60_000).toBeLessThanOrEqual(d.turns);
    }
  });
});
