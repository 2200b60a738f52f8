import { defineConfig } from 'vitest/config';

// Three layers, told apart by file name (see README "Tests"):
//   *.test.ts      unit: stub deps, no real devices
//   *.int.test.ts  integration: real fs, loop devices, Azurite, loopback servers
//   *.e2e.test.ts  the built binary as a child process
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.int.test.ts', 'test/**/*.e2e.test.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'int', include: ['test/**/*.int.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/**/*.e2e.test.ts'], testTimeout: 180_000, hookTimeout: 120_000 },
      },
    ],
    // Tests never read the developer's own settings.
    env: { HOME: '/tmp/diskprep-test-home', NO_COLOR: '1', DISKPREP_TEST: '1' },
    clearMocks: true,
    restoreMocks: true,
  },
});
