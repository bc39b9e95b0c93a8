import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  // Scripts run on Node; TypeScript already checks names in .ts files.
  { files: ['**/*.js', '**/*.mjs'], rules: { 'no-undef': 'off' } },
);
