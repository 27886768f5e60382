/** Jest runs TypeScript through SWC (no type-check per file; `npm run typecheck` does that). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The chaos suite (`npm run test:chaos`, jest.chaos.config.js) kills and pauses its own servers; not part of `npm test`.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/chaos/'],
  transform: { '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  testTimeout: 30000,
  maxWorkers: process.env.CI ? 2 : '50%',
  // A suite that fails mid-way can leave a child process or socket behind; CI must still end.
  forceExit: true,
};
