import { defineConfig } from "@playwright/test";

/*
 * End-to-end tests in a headless Chromium against a running stack (`make run`, or the one
 * `make test` starts). The browser is the system's Chromium (Debian: `apt-get install
 * chromium`); Playwright's own browser downloads are never used.
 *
 *   BASE_URL       the gateway serving the built app (default http://127.0.0.1:8000)
 *   SIM_URL        the Mews simulator (default http://127.0.0.1:8765)
 *   E2E_DEVDATA    the .devdata of `make run`, where each demo account's password is kept
 *                  (default ../.devdata)
 *   E2E_PASSWORD   the admin's password when ATTENDANDT_DEV_ADMIN_PASSWORD set it
 *   CHROMIUM_PATH  the browser (default /usr/bin/chromium)
 *   SCREENSHOT_DIR where the page screenshots go (default ../docs/screenshots)
 */
export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/global-setup.ts",
  // The scenarios build on each other (a booking made, then confirmed, then posted).
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: process.env.BASE_URL ?? "http://127.0.0.1:8000",
    browserName: "chromium",
    headless: true,
    viewport: { width: 1400, height: 1000 },
    locale: "en-GB",
    timezoneId: "UTC",
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
});
