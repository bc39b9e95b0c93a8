import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

// The layer rules exactly as `npm run lint` applies them (eslint.config.js is plain JS, so typed here).
const configPath = '../eslint.config.js';
const { layers } = (await import(configPath)) as { layers: Linter.Config };

/** Lints `code` as if it were the file at `filePath` (relative to the repository), with the layer rules alone. */
async function lint(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: process.cwd(),
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, layers],
  });
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((message) => `${message.ruleId ?? 'parse'}: ${message.message}`);
}

describe('the layers lint keeps', () => {
  it('lets a layer import from the layers before it', async () => {
    const code = "import { SILENCE } from '../events/levels.js';\nexport const floor = SILENCE;\n";
    expect(await lint('src/rules/probe.ts', code)).toStrictEqual([]);
  }, 60_000);

  it('fails an import from a later layer', async () => {
    const code = "import { Selection } from '../rules/selection.js';\nexport const probe = Selection;\n";
    expect(await lint('src/data/probe.ts', code)).toStrictEqual([
      'boundaries/dependencies: There is no policy allowing dependencies from elements of type "data" to elements of type "rules"',
    ]);
  }, 60_000);

  it('fails an import of an entry from inside the library', async () => {
    const code = "import { audioMixer } from '../../index.js';\nexport const probe = audioMixer;\n";
    const messages = await lint('src/stages/probe.ts', code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^boundaries\/dependencies: .*"stages" to file of category "entry"/);
  }, 60_000);

  it('fails a cycle, even within one layer', async () => {
    // events/show.ts as it would be if it imported reports.ts, which imports it.
    const code = "import { report } from './reports.js';\nexport const probe = report;\n";
    expect(await lint('src/events/show.ts', code)).toStrictEqual(['import-x/no-cycle: Dependency cycle detected']);
  }, 60_000);
});
