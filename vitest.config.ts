import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Tests never reach the network; a stray OPENAI_* variable must not redirect an SDK client.
    env: { OPENAI_BASE_URL: '', OPENAI_API_KEY: '' },
    testTimeout: 20_000,
    // Builds dist once when stale, for the tests that use the package as users get it.
    globalSetup: ['test/global-setup.ts'],
    // SOVROUTE_TEST_TRANSPORT=fetch runs every test with fetch as the adapters' default transport.
    setupFiles: ['test/setup-transport.ts'],
  },
});
