import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach, vi } from "vitest";
import { useSession } from "../features/auth/session";

afterEach(() => {
  // Unmount first, then forget the session (no state updates outside `act`).
  cleanup();
  useSession.getState().clear();
  vi.unstubAllGlobals();
  sessionStorage.clear();
  localStorage.clear();
});
