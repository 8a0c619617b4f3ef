// Lint rules: the recommended sets of ESLint and typescript-eslint, plus the house rules that a
// machine can check (no focused tests, no swallowed errors, and the store adapters' boundaries:
// an adapter imports core, the port and src/store/shared — never another adapter — and shared
// imports no adapter; decision 0011).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'web/dist/**', 'node_modules/**', '.urbis/**', 'coverage/**', 'tmp-*/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
      'no-restricted-properties': [
        'error',
        { object: 'it', property: 'only', message: 'Focused tests hide the rest of the suite.' },
        { object: 'describe', property: 'only', message: 'Focused tests hide the rest of the suite.' },
      ],
    },
  },
  // The dashboard runs in the browser and talks to Urbis over HTTP only (DESIGN.md: web uses the public APIs).
  {
    files: ['web/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../../src/**', '../../../src/**', '../../../../src/**'],
              message: 'web/ uses the public HTTP API only.',
            },
          ],
        },
      ],
    },
  },
  adapterBoundary('src/store/sqlite/**/*.ts', ['**/postgres/**'], 'the SQLite adapter'),
  adapterBoundary('src/store/postgres/**/*.ts', ['**/sqlite/**'], 'the PostgreSQL adapter'),
  adapterBoundary('src/store/shared/**/*.ts', ['**/sqlite/**', '**/postgres/**'], 'src/store/shared'),
);

/** `files` may not import modules matching `forbidden` (adapters never import each other). */
function adapterBoundary(files, forbidden, who) {
  return {
    files: [files],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: forbidden,
              message: `${who} imports core, the store port and src/store/shared only (decision 0011).`,
            },
          ],
        },
      ],
    },
  };
}
