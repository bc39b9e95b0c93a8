// Runs every ```ts block of the README and of docs/*.md as it is written, against the public entry, so the
// documentation cannot rot. Blocks run in order (the README, then the pages by name) when this file is collected; a
// block may define tests of its own with `it`. The tests that compare a block's output with the text the
// documentation says it prints find both by their content, wherever they live.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { expect, it, vi } from 'vitest';
import { codeBlocks, documents, isSketch, root } from './documents.js';

const docs = documents();
const blocks = codeBlocks();

// tsconfig.readme.json typechecks what is written here (`.ci/run`, "typecheck README examples").
const folder = `${root}.readme/`;
rmSync(folder, { recursive: true, force: true });
mkdirSync(folder, { recursive: true });

const printed: string[][] = [];
for (const [index, { file: from, code }] of blocks.entries()) {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  });
  const file = `${folder}${from.replace(/\.md$/, '').replace(/\//g, '-')}-block-${index}.ts`;
  writeFileSync(file, isSketch(code) ? 'export {};\n' : code);
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

/** What the block containing `marker` printed, and what its page says it prints. */
function outputOf(marker: string): { printed: string | undefined; said: string | undefined } {
  const block = blocks.findIndex(({ code }) => code.includes(marker));
  expect(block, `no block contains ${marker}`).toBeGreaterThanOrEqual(0);
  expect(blocks[block]?.said, `the page shows no output after the block with ${marker}`).toBeDefined();
  return { printed: printed[block]?.join('\n'), said: blocks[block]?.said };
}

it('docs: every page has runnable blocks, and the README front page has three', () => {
  expect(blocks.filter(({ file }) => file === 'README.md')).toHaveLength(2); // the third, a server, needs a network
  for (const file of ['docs/guide.md', 'docs/speech.md']) expect(blocks.some((b) => b.file === file), file).toBe(true);
});

it.each([
  ['README: the example', 'audioMixer({ outputs: 2, threshold: 30, timeout: 1000 })', 'output 0 now carries alice'],
  ['README: mixRoom, everyone hears the room but themselves', 'hears: ${e.type}', 'bob hears: output-pin 0 alice'],
  ['guide: withMedia with a shared media cache', 'withMedia(mediaOf)', 'dave gets'],
  ['guide: following some sources', 'const following', 'output-pin 0 alice\noutput-unpin 0 alice\noutput-pin 0 bob'],
  ['guide: a source added from a callback waits for the takeover', "source: 'carol' });\n});", 'output-pin 0 alice'],
  ['guide: a stage of your own, made an operator by fromStage', 'class Muting', 'alice is heard\nbob is heard'],
  ['speech: speechMixer keeps a speaker through her pauses where audioMixer flaps', 'speechMixer pins', 'speechMixer pins:'],
])('%s prints what its page says it prints', (_, marker, begins) => {
  const { printed: out, said } = outputOf(marker);
  expect(said?.startsWith(begins), `the page shows:\n${said}`).toBe(true);
  expect(out).toBe(said);
});

it('guide: the normalisation example lifts a quiet microphone over the threshold', () => {
  const example = blocks.findIndex(({ code }) => code.includes('gainDb'));
  expect(printed[example]).toStrictEqual(['quiet-mic is heard on output 0']);
});

it('README: shows the commands a newcomer runs', () => {
  const readme = docs[0]!.text;
  expect(readme).toContain('npm install && npm test');
  expect(readme).toContain('npm run demo');
});

it('docs: the scripts find the markers of the tables they write, in docs/ and never in the README', () => {
  const page = (file: string) => docs.find((d) => d.file === file)?.text ?? '';
  for (const [file, name] of [
    ['docs/performance.md', 'bench'], // bench/run.ts
    ['docs/performance.md', 'room-bench'], // bench/run.ts --room
    ['docs/quality.md', 'quality'], // scripts/quality.ts
  ] as const) {
    expect(page(file), `${file}: ${name}`).toMatch(new RegExp(`<!-- ${name}:start -->\\n[\\s\\S]*\\n<!-- ${name}:end -->`));
    expect(docs[0]!.text).not.toContain(`<!-- ${name}:start -->`);
  }
});

it('README: a front page of at most 250 lines, the rest in docs/', () => {
  const lines = docs[0]!.text.trimEnd().split('\n').length;
  expect(lines, 'README.md: move detail into docs/ and link it').toBeLessThanOrEqual(250);
});

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(text: string): Set<string> {
  const outside = text.replace(/^```[\s\S]*?^```$/gm, '');
  return new Set([...outside.matchAll(/^#{1,6} (.*)$/gm)].map((match) => anchor(match[1] ?? '')));
}

it('docs: every relative link points to a file that exists, and to a heading it has', () => {
  const broken: string[] = [];
  for (const { file, text } of docs) {
    const outside = text.replace(/^```[\s\S]*?^```$/gm, '');
    for (const match of outside.matchAll(/\]\(([^)\s]+)\)/g)) {
      const link = match[1] ?? '';
      if (/^[a-z]+:/i.test(link)) continue; // https:, mailto:
      const [path = '', hash] = link.split('#');
      const target = path === '' ? file : normalize(join(dirname(file), path));
      if (!existsSync(join(root, target))) {
        broken.push(`${file}: ${link} (no ${target})`);
        continue;
      }
      if (hash !== undefined && target.endsWith('.md')) {
        const page = docs.find((d) => d.file === target);
        if (page !== undefined && !anchorsOf(page.text).has(hash)) broken.push(`${file}: ${link} (no heading #${hash})`);
      }
    }
  }
  expect(broken).toStrictEqual([]);
});
