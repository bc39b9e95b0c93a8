// The documentation the tests hold to its word: the README (the front page) and every page under docs/.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

export interface Document {
  /** The path from the repository's root, e.g. `README.md` or `docs/guide.md`. */
  file: string;
  text: string;
}

/** The README first, then every `docs/*.md` in name order. */
export function documents(): Document[] {
  const pages = readdirSync(`${root}docs`)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...pages].map((file) => ({ file, text: readFileSync(`${root}${file}`, 'utf8') }));
}

/** Every document's text, one after the other: for a search that does not care where a passage lives. */
export function allText(): string {
  return documents()
    .map((document) => document.text)
    .join('\n');
}

export interface CodeBlock {
  /** The document it is in. */
  file: string;
  code: string;
  /** What the document says it prints: the ```text block after it, before the next ```ts block. */
  said: string | undefined;
}

/**
 * Every ```ts block of the documents that runs, in order. A block right after `<!-- illustration -->` needs a
 * network or a media server, and is not run.
 */
export function codeBlocks(): CodeBlock[] {
  return documents().flatMap(({ file, text }) => {
    const fences = [...text.matchAll(/^(<!-- illustration -->\n)?```(ts|text)\n([\s\S]*?)^```$/gm)];
    return fences.flatMap((match, at) => {
      if (match[2] !== 'ts' || match[1] !== undefined) return [];
      const next = fences.slice(at + 1).find((fence) => fence[2] === 'ts' || fence[2] === 'text');
      const said = next?.[2] === 'text' ? next[3] : undefined;
      return [{ file, code: match[3] ?? '', said: said?.trimEnd() }];
    });
  });
}

/** The one-line pipe sketch of the guide is not a program (the property tests check what it says). */
export function isSketch(code: string): boolean {
  return code.startsWith('source.pipe(');
}
