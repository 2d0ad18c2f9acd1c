/** One jest run for unit specs (beside the code) and e2e specs (test/). */
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

const common = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testEnvironment: 'node',
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  rootDir: __dirname,
};

module.exports = {
  // On a 2-core machine jest runs every spec in its own process (in band): one handle a test
  // leaves open would keep the run from ending. forceExit ends it after the summary is written;
  // `npm run test:handles` (--detectOpenHandles) is the tool to find such a leak.
  forceExit: true,
  projects: [
    { ...common, displayName: 'unit', roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/migrations'], testRegex: '\\.spec\\.ts$' },
    { ...common, displayName: 'e2e', roots: ['<rootDir>/test'], testRegex: '\\.e2e-spec\\.ts$' },
  ],
};
