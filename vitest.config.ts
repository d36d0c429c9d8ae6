import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Relay and browser suites start real processes on loopback ports; two cores cannot
    // run many of them at once without starving the timing-sensitive ones.
    maxWorkers: 2,
  },
})
