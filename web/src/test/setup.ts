import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach, vi } from "vitest";
import { useSession } from "../lib/session";

// `findBy…` and `waitFor` wait up to 5 s, not 1 s: on a busy 2-core machine a page with a few
// queries can take longer than a second to settle, and a test must not fail on speed.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => {
  // Unmount first, then forget the session (no state updates outside `act`).
  cleanup();
  useSession.getState().clear();
  vi.unstubAllGlobals();
  sessionStorage.clear();
  localStorage.clear();
});
