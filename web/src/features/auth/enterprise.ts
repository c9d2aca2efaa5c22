import { create } from "zustand";
import { createJSONStorage, persist } from "zustand/middleware";
import { useSession } from "./session";

/** The property a portfolio-wide user is looking at, and the hotel's time zone for day
 * lists (kept in localStorage: a preference, not a secret). */
interface Preferences {
  enterpriseId: string | null;
  timeZone: string;
  setEnterprise(id: string | null): void;
  setTimeZone(zone: string): void;
}

function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

export const usePreferences = create<Preferences>()(
  persist(
    (set) => ({
      enterpriseId: null,
      timeZone: browserZone(),
      setEnterprise: (enterpriseId) => set({ enterpriseId }),
      setTimeZone: (timeZone) => set({ timeZone }),
    }),
    {
      name: "attendandt.preferences",
      storage: createJSONStorage(() => localStorage),
      partialize: ({ enterpriseId, timeZone }) => ({ enterpriseId, timeZone }),
    },
  ),
);

/**
 * The enterprise requests are about: a property's staff and vendors always their own; a
 * portfolio-wide user the one they picked (null until they pick one).
 */
export function useEnterprise(): { enterpriseId: string | null; portfolioWide: boolean } {
  const own = useSession((s) => s.user?.enterprise_id ?? null);
  const picked = usePreferences((s) => s.enterpriseId);
  return { enterpriseId: own ?? picked, portfolioWide: own === null };
}
