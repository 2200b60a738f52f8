// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { FLOORS, roomsAbove } from './test/house/plan.ts';

/** The glob of a room's files: a folder under src/ or a top-level file of src/. */
const roomFiles = (/** @type {string} */ room) =>
  room.endsWith('.ts') ? `src/${room}` : `src/${room}/**/*.ts`;
const escape = (/** @type {string} */ s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Arrows only point down (test/house/plan.ts, README "Development"): a file may not import a
 * room on a floor above its own. One override per floor; the layers test also checks dynamic
 * imports, imports between commands and cycles.
 */
const houseRules = FLOORS.slice(1).map((floor, i) => ({
  files: floor.rooms.map(roomFiles),
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: roomsAbove(i + 1).map((room) => ({
          regex: `^(\\./|(\\.\\./)+)${escape(room)}(/|$)`,
          message: `${floor.name} is below ${room}: arrows only point down (README "Development"); move what both need down a floor`,
        })),
      },
    ],
  },
}));

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'coverage/',
      'bin/',
      'bench/**/*.js',
      'scripts/',
      'eslint.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // Core modules must not print or exit: output goes through the injected terminal/output seams.
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // RATIONALE: seam implementations are async by interface even when a stub answers at once.
      '@typescript-eslint/require-await': 'off',
    },
  },
  ...houseRules,
  {
    files: ['test/**', 'bench/**'],
    rules: {
      'no-console': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
);
