import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import boundaries from 'eslint-plugin-boundaries';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/**
 * The layers, first to last: each imports only from itself and the layers before it (docs/guide.md, "Layers").
 * `options` (the checks of the operators' options, and their defaults) needs only the events' types.
 */
const LAYERS = [
  { type: 'events', pattern: 'src/events' },
  { type: 'options', pattern: 'src/options' },
  { type: 'data', pattern: 'src/data' },
  { type: 'rules', pattern: 'src/rules' },
  { type: 'stages', pattern: 'src/stages' },
  { type: 'operators', pattern: 'operators' },
  { type: 'adapters', pattern: ['adapters', 'src/adapters'] },
].map((layer) => ({ ...layer, partialMatch: false }));
/** The entries (`index.ts`, `rtp.ts`, ...) come last: they may import every layer, and no layer imports them. */
const ENTRIES = ['index.ts', 'rtp.ts', 'nats.ts', 'werift.ts'];
/** The library's own files, which the layers and the no-cycle rule cover. */
const LIBRARY = ['src/**/*.ts', 'operators/**/*.ts', 'adapters/**/*.ts', '*.ts'];

/**
 * Layers that lint keeps: an import from a later layer (or from an entry) is an error, and so is a cycle of runtime
 * imports anywhere in the library. `test/layers.test.ts` lints fixtures with this block alone.
 */
export const layers = {
  files: LIBRARY,
  ignores: ['**/*.test.ts', '*.config.ts'],
  plugins: { boundaries, 'import-x': importX },
  settings: {
    'boundaries/elements': LAYERS,
    'boundaries/files': [{ category: 'entry', pattern: ENTRIES }],
    'boundaries/include': LIBRARY,
    'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
    // no-cycle reads the imports of .ts modules only when told they are modules, and how to parse them.
    'import-x/extensions': ['.ts', '.js'],
    'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    // eslint-plugin-boundaries resolves through eslint-module-utils, which reads the legacy setting.
    'import/resolver': { typescript: { project: 'tsconfig.json' } },
  },
  rules: {
    'boundaries/dependencies': [
      'error',
      {
        default: 'disallow',
        policies: [
          ...LAYERS.map((layer, index) => ({
            from: { element: { type: layer.type } },
            allow: { to: { element: { types: { anyOf: LAYERS.slice(0, index + 1).map(({ type }) => type) } } } },
          })),
          {
            from: { file: { categories: 'entry' } },
            allow: { to: { element: { types: { anyOf: LAYERS.map(({ type }) => type) } } } },
          },
        ],
      },
    ],
    'boundaries/no-unknown-dependencies': 'error',
    'import-x/no-cycle': 'error',
  },
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.readme/', 'docs/api/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js', 'scripts/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // noUncheckedIndexedAccess makes every typed-array read optional; the heaps index within bounds they keep.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // A hook's default body may ignore what the overrides use: `_name` says so.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  // The sans-IO core: plain state machines that take `now` and call back. RxJS lives in operators/ only.
  {
    files: ['src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['rxjs', 'rxjs/*'], message: 'src/ is the sans-IO core: RxJS belongs in operators/.' },
            {
              group: ['**/operators/*', '**/operators'],
              message: 'src/ is the sans-IO core: it never imports operators.',
            },
          ],
        },
      ],
    },
  },
  layers,
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  // Scripts run on Node; TypeScript already checks names in .ts files.
  { files: ['**/*.js', '**/*.mjs'], rules: { 'no-undef': 'off' } },
);
