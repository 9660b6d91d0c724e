/** Jest: TypeScript and the ESM-only jose and @middy compiled by swc; one DynamoDB Local for the whole run. */

// The AWS SDK warns once per process that it will need Node 22 in 2027 (the machines run Node 20,
// Lambda runs 22). Set here, in jest's parent process, so globalSetup and every worker inherit it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// No CloudWatch reads EMF here; the tests of the metrics turn it back on for themselves.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)s$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(jose|@middy)/)'],
  globalSetup: '<rootDir>/test/setup/globalSetup.ts',
  globalTeardown: '<rootDir>/test/setup/globalTeardown.ts',
  testTimeout: 60000,
};
