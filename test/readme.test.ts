// Runs every ```ts block of the README as it is written, against the public entry, so the README cannot rot.
// Blocks run in order when this file is collected; a block may define tests of its own with `it`.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it, vi } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(`${root}README.md`, 'utf8');
// A block right after `<!-- illustration -->` needs a network or a media server, and is not run.
const blocks = [...readme.matchAll(/^(<!-- illustration -->\n)?```ts\n([\s\S]*?)^```$/gm)]
  .filter((match) => match[1] === undefined)
  .map((match) => match[2] ?? '');
const texts = [...readme.matchAll(/^```text\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '');

const folder = `${root}.readme/`;
rmSync(folder, { recursive: true, force: true });
mkdirSync(folder, { recursive: true });

const printed: string[][] = [];
for (const [index, code] of blocks.entries()) {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  });
  const file = `${folder}block-${index}.ts`;
  // The one-line pipe sketch is not a program; it is checked by the property tests.
  writeFileSync(file, code.startsWith('source.pipe(') ? 'export {};\n' : code);
  // A block's own timers (a timeout of 1 s on the real clock, say) must not fire while a later block loads, or what
  // they print would count as that block's output: each block runs on fake timers, dropped once it has run.
  vi.useFakeTimers();
  try {
    await import(/* @vite-ignore */ file);
  } finally {
    log.mockRestore();
    vi.clearAllTimers();
    vi.useRealTimers();
  }
  printed.push(lines);
}

it('README: the example prints what the README says it prints', () => {
  const example = blocks.findIndex((code) => code.includes("audioMixer({ outputs: 2, threshold: 30, timeout: 1000 })"));
  expect(example).toBeGreaterThanOrEqual(0);
  const said = texts.find((text) => text.startsWith('output 0 now carries alice'));
  expect(printed[example]?.join('\n')).toBe(said?.trimEnd());
});

it('README: the normalisation example lifts a quiet microphone over the threshold', () => {
  const example = blocks.findIndex((code) => code.includes('gainDb'));
  expect(printed[example]).toStrictEqual(['quiet-mic is heard on output 0']);
});

it('README: mixRoom, everyone hears the room but themselves', () => {
  const example = blocks.findIndex((code) => code.includes('hears: ${e.type}'));
  expect(example).toBeGreaterThanOrEqual(0);
  const said = texts.find((text) => text.startsWith('bob hears: output-pin 0 alice'));
  expect(printed[example]?.join('\n')).toBe(said?.trimEnd());
});

it('README: withMedia with a shared media cache prints what the README says', () => {
  const example = blocks.findIndex((code) => code.includes('withMedia(mediaOf)'));
  expect(example).toBeGreaterThanOrEqual(0);
  const said = texts.find((text) => text.startsWith('dave gets'));
  expect(printed[example]?.join('\n')).toBe(said?.trimEnd());
});

it('README: following some sources prints what the README says', () => {
  const example = blocks.findIndex((code) => code.includes('const following'));
  const said = texts.find((text) => text.startsWith('output-pin 0 alice'));
  expect(printed[example]?.join('\n')).toBe(said?.trimEnd());
});

it('README: a source added from a callback waits for the takeover to finish', () => {
  const example = blocks.findIndex((code) => code.includes("source: 'carol' });\n});"));
  expect(example).toBeGreaterThanOrEqual(0);
  const said = texts.find((text) => text.includes('output-pkt 0 bob\noutput-unpin 0 bob'));
  expect(printed[example]?.join('\n')).toBe(said?.trimEnd());
});

it('README: speechMixer keeps a speaker through her pauses where audioMixer flaps', () => {
  const example = blocks.findIndex((code) => code.includes('speechMixer pins'));
  expect(example).toBeGreaterThanOrEqual(0);
  const said = texts.find((text) => text.startsWith('speechMixer pins:'));
  expect(printed[example]?.join('\n')).toBe(said?.trimEnd());
});

it('README: shows the commands a newcomer runs', () => {
  expect(readme).toContain('npm install && npm test');
});
