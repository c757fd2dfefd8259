// eslint.config.mjs: type-aware lint for src/, test/ and scripts/ (promise safety matters in a socket server), and the direction of imports between src/ folders.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** A regex for relative imports that reach into one of the sibling src/ folders named. */
function edgeFolders(names) {
  return `^\\.\\.?/(.*/)?(${names.join('|')})(/|$)`;
}

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'segments/**',
      'public/vendor/**',
      'artifacts/**',
      // npm run bench writes MPEG-TS files named *.ts here; ESLint would parse them as TypeScript.
      'bench-out/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.mjs', 'scripts/*.mjs', 'public/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's describe/it return promises the runner itself awaits.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  // Folder direction: the core (ts/, then hls/) knows no I/O and no edge; edges never reach back into HTTP.
  ...[
    {
      files: ['src/hls/**/*.ts'],
      below: ['http', 'ingest', 'storage', 'upload', 'scanner', 'metrics'],
    },
    // ts/ is the bottom layer: packets, PSI, PES, frames; hls/ builds on it, never the reverse.
    {
      files: ['src/ts/**/*.ts'],
      below: ['hls', 'http', 'ingest', 'storage', 'upload', 'scanner', 'metrics'],
    },
  ].map(({ files, below }) => ({
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: edgeFolders(below),
              message: `${files[0].split('/**')[0]}/ is the pure core: it imports nothing from ${below.join(', ')}.`,
            },
            {
              regex: '^(express|serialport)(/|$)|^(node:)?(net|fs|fs/promises|http|dgram)$',
              message:
                'src/ts/ and src/hls/ do no I/O: sockets, files, HTTP and serial belong to the edges.',
            },
          ],
        },
      ],
    },
  })),
  {
    files: ['src/scanner/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: edgeFolders(['http']),
              message:
                'src/scanner/ exposes a service; src/http/scanner-routes.ts builds the router from it.',
            },
            { regex: '^express(/|$)', message: 'src/scanner/ knows nothing of Express.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/upload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: edgeFolders(['http']),
              message:
                'src/upload/ imports nothing from src/http/ (media types are in src/hls/media-types.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/ingest/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: edgeFolders(['hls', 'http']),
              message:
                'src/ingest/ depends on src/ts/ only, never on the packaging (src/hls/) or HTTP.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    // Merged, not replaced: disableTypeChecked's parserOptions keep these files out of the project.
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: globals.node,
    },
  },
  {
    files: ['public/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: globals.browser,
      sourceType: 'module',
    },
  },
);
