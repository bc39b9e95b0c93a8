// The README's picture of pins over time is not drawn by hand: it is what audioMixer does with the levels of the
// real conversation capture, and this test fails when the two differ.
import { readFileSync } from 'node:fs';
import { Subject, VirtualTimeScheduler } from 'rxjs';
import { expect, it } from 'vitest';
import { audioMixer, type OutputEvent, type SourceEvent } from 'rx-audio-mixer';
import { readSpeakers, readTruth } from './fixtures.js';

const columnMs = 500;
const durationMs = 20_000;

function picture(): string {
  const speakers = readSpeakers();
  const nameOf = new Map(speakers.map((s) => [s.ssrc, s.name]));
  const scheduler = new VirtualTimeScheduler();
  const room = new Subject<SourceEvent<string, number>>();
  const pins: { time: number; event: OutputEvent<string, number> }[] = [];
  room.pipe(audioMixer<string, number>({ outputs: 2, scheduler })).subscribe((event) => {
    if (event.type !== 'output-pkt') pins.push({ time: scheduler.now(), event });
  });
  for (const p of readTruth('conversation')) {
    const event = { type: 'source-pkt', source: nameOf.get(p.ssrc) ?? String(p.ssrc), data: p.payload_len } as const;
    const level = p.level === null ? {} : { level: -p.level };
    scheduler.schedule(() => { room.next({ ...event, ...level }); }, p.t_us / 1000);
  }
  scheduler.schedule(() => { room.complete(); }, durationMs);
  scheduler.flush();

  const columns = durationMs / columnMs;
  const lane = (holds: (t: number) => string | undefined) =>
    Array.from({ length: columns }, (_, c) => holds((c + 0.5) * columnMs) ?? '·').join('');
  const rows = [`${'time (s)'.padEnd(10)}${Array.from({ length: 5 }, (_, i) => String(i * 5).padEnd(10)).join('').trimEnd()}`];
  for (const s of speakers) {
    const letter = s.name.charAt(0).toUpperCase();
    rows.push(`${s.name.padEnd(10)}${lane((t) => (s.speech_ms.some(([a, b]) => a <= t && t < b) ? letter : undefined))}`);
  }
  for (const output of [0, 1]) {
    const holder = (t: number) => {
      let source: string | undefined;
      for (const { time, event } of pins) {
        if (time > t) break;
        if (event.output === output) source = event.type === 'output-pin' ? event.source : undefined;
      }
      return source?.charAt(0).toUpperCase();
    };
    rows.push(`${`output ${output}`.padEnd(10)}${lane(holder)}`);
  }
  return rows.join('\n');
}

it('README: the picture of pins over time is what the mixer does with the conversation capture', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const shown = /<!-- pins-picture -->\n```text\n([\s\S]*?)\n```/.exec(readme)?.[1];
  expect(shown, `README should show:\n${picture()}`).toBe(picture());
});
