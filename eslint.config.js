// ESLint flat config: recommended JS + typescript-eslint type-checked rules, the rules that catch
// un-awaited promises and non-exhaustive switches, the architecture's layer rule (eslint/layers.js:
// imports go only to lower layers, so folders cannot form cycles), and the rule that keeps
// process.env in the CLI and test helpers (everything else receives a Config).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import layers from './eslint/layers.js'

export default tseslint.config(
  { ignores: ['dist/**', 'web/dist/**', 'node_modules/**', 'data/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: [
                'describe',
                'it',
                'test',
                'suite',
                'before',
                'after',
                'beforeEach',
                'afterEach',
              ],
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { inlet: layers },
    rules: { 'inlet/layers': 'error' },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration through loadConfig(env).',
        },
      ],
    },
  },
  {
    // The client SDK (`inlet/client`) runs wherever `fetch` does: no Node built-in, no package,
    // and of Inlet only core's modules that import nothing themselves (docs/sdk.md).
    files: ['src/client/**/*.ts'],
    ignores: ['src/client/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\./|\\.\\./core/(records|reports|clock|wire-limits)\\.js$)',
              message:
                'The client SDK imports only its own modules and the import-free core modules records, reports, clock and wire-limits.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['eslint.config.js', 'eslint/**/*.js', 'scripts/**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
)
