import type { PropertyPhase } from "../api/types";
import { Badge } from "./ui";

const PHASE_LABELS: Record<PropertyPhase, string> = {
  onboarding: "Onboarding",
  importing: "Importing",
  live: "Live",
  stopped: "Stopped",
  refused: "Token refused by Mews",
};

const PHASE_TONES: Record<PropertyPhase, "slate" | "blue" | "green" | "red"> = {
  onboarding: "slate",
  importing: "blue",
  live: "green",
  stopped: "red",
  refused: "red",
};

/**
 * A property's phase in words, as the gateway computes it (`phase` of its sync status or of
 * `GET /properties`). A stopped property says what Mews did to its integration:
 * "Stopped (disabled in Mews)". A refused one syncs nothing: Mews refuses its access token
 * (a key rotated or revoked), and the hotel must reconnect the integration in Mews.
 */
export function phaseLabel(phase: PropertyPhase, integrationState?: string | null): string {
  const label = PHASE_LABELS[phase] ?? phase;
  return phase === "stopped" && integrationState ? `${label} (${integrationState} in Mews)` : label;
}

/** The property's phase as a badge: onboarding, importing, live, stopped (and why), or
 * refused (Mews refuses its token). */
export function PhaseBadge({ phase, integrationState }: { phase: PropertyPhase; integrationState?: string | null }) {
  return <Badge tone={PHASE_TONES[phase] ?? "slate"}>{phaseLabel(phase, integrationState)}</Badge>;
}
