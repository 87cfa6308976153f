// ESLint flat config for the whole tree (console/web's Vue files included); formatting is prettier's job.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const vue = require('eslint-plugin-vue');
const globals = require('globals');

module.exports = tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'data/**',
      '**/*.d.ts',
      'deploy/**/target/**',
      '**/.cache/**',
      'console/web/test-artifacts/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  // The SPA: Vue single-file components with TypeScript in <script setup lang="ts">, run in a browser.
  // 'essential' rules only: the stylistic ones of 'recommended' are prettier's job.
  ...vue.configs['flat/essential'].map((c) => ({ ...c, files: ['console/web/**/*.vue'] })),
  {
    files: ['console/web/**/*.vue'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' },
    },
    rules: {
      // Attacker-controlled strings are shown as text: no v-html anywhere in the console.
      'vue/no-v-html': 'error',
    },
  },
  {
    files: ['console/web/**/*.{ts,vue}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      // TypeScript checks names (the global Api namespace of src/typings is declared there, not seen here).
      'no-undef': 'off',
      // Views are folders with an index.vue, named by their route.
      'vue/multi-word-component-names': 'off',
    },
  },
);
