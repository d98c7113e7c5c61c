// Architecture as lint (docs/conventions.md, Module boundaries): type-aware promise rules and Nx module boundaries with real tags.
//   type:contracts  ← anything;           contracts depend on nothing but contracts
//   type:lib        → type:lib, type:contracts
//   type:app        → type:lib, type:contracts      (a service never imports another service)
//   type:host       → type:app, type:lib, type:contracts (the embedded host composes every service)
//   type:testing    (libs/testing) only from test files
// Services are Nx projectType "library" on purpose: Nx refuses every import of an "application",
// which would forbid the embedded host too; the type:app tag is what keeps services apart.
// The rule reads Nx's cached project graph: run it through `npm run lint` (scripts/lint.js).
//   scope:<service> → its own scope + scope:shared
const tseslint = require('typescript-eslint');
const nx = require('@nx/eslint-plugin');

const services = [
  'gateway',
  'auth',
  'catalog',
  'orchestrator',
  'scheduler',
  'triggers',
  'ingestion',
  'transformation',
  'quality',
  'reconciliation',
  'lineage',
  'alerting',
];

// Production code never imports libs/testing (type:testing); tests may, whatever project they sit in.
function boundaries(inTests) {
  const t = (tags) => (inTests ? [...tags, 'type:testing'] : tags);
  return [
    'error',
    {
      enforceBuildableLibDependency: false,
      allow: [],
      depConstraints: [
        { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: t(['type:contracts']) },
        { sourceTag: 'type:lib', onlyDependOnLibsWithTags: t(['type:lib', 'type:contracts']) },
        { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:testing', 'type:lib', 'type:contracts'] },
        { sourceTag: 'type:app', onlyDependOnLibsWithTags: t(['type:lib', 'type:contracts']) },
        { sourceTag: 'type:host', onlyDependOnLibsWithTags: t(['type:app', 'type:lib', 'type:contracts']) },
        { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
        ...services.map((s) => ({ sourceTag: `scope:${s}`, onlyDependOnLibsWithTags: [`scope:${s}`, 'scope:shared'] })),
        { sourceTag: 'scope:embedded', onlyDependOnLibsWithTags: ['scope:shared', ...services.map((s) => `scope:${s}`)] },
      ],
    },
  ];
}

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.flowforge/**', '.nx/**', 'ui/**', '**/*.js', '**/generated/**'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    plugins: { '@nx': nx },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: __dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': boundaries(false),
    },
  },
  {
    // Tests may use jest's loose matchers, but keep the promise rules: a forgotten await hides failures.
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@nx/enforce-module-boundaries': boundaries(true) },
  },
);
