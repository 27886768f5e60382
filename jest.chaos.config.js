/**
 * The chaos (fault-injection) suite, `npm run test:chaos`: each file starts its own Redis, PostgreSQL, gateway and
 * audit worker processes and breaks them under load, so files run one at a time and tests get minutes, not seconds.
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/chaos'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 180000,
  maxWorkers: 1,
};
