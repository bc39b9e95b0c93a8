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
