/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";

// In development the gateway runs on :8000 (`make run`); the dev server proxies the API to it,
// so the app talks to its own origin exactly as it does when the gateway serves `dist/`.
const gateway = process.env.GATEWAY_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react(), tailwindcss()],
  server: {
    port: 5173,
    proxy: {
      "/api": { target: gateway, changeOrigin: true },
      "/schema": { target: gateway, changeOrigin: true },
    },
  },
  build: { outDir: "dist", sourcemap: true },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
    // A busy machine renders slowly: tests wait for what they look for (5 s, see setup.ts)
    // and may take longer than vitest's default 5 s in all.
    testTimeout: 30_000,
    // The browser's zone is neither UTC nor the test hotels' (America/New_York), so a time
    // shown in the wrong zone shows up.
    env: { TZ: "Asia/Tokyo" },
  },
});
