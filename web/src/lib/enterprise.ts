import { create } from "zustand";
import { createJSONStorage, persist } from "zustand/middleware";
import { useSession } from "./session";

/** The property a portfolio-wide user is looking at (kept in localStorage: a preference, not a
 * secret). The hotel's time zone is not a preference: it comes with the property. */
interface Preferences {
  enterpriseId: string | null;
  setEnterprise(id: string | null): void;
}

export const usePreferences = create<Preferences>()(
  persist(
    (set) => ({
      enterpriseId: null,
      setEnterprise: (enterpriseId) => set({ enterpriseId }),
    }),
    {
      name: "attendandt.preferences",
      version: 1,
      storage: createJSONStorage(() => localStorage),
      partialize: ({ enterpriseId }) => ({ enterpriseId }),
      // Version 0 also kept a time zone typed on the dashboard; the property's replaces it.
      migrate: (persisted) => {
        const id = (persisted as { enterpriseId?: unknown } | null)?.enterpriseId;
        return { enterpriseId: typeof id === "string" ? id : null };
      },
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
