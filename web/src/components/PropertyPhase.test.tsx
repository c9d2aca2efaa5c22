import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import { PhaseBadge, phaseLabel } from "./PropertyPhase";

describe("property phase", () => {
  it("names each phase, and what Mews did to a stopped property's integration", () => {
    expect(phaseLabel("onboarding")).toBe("Onboarding");
    expect(phaseLabel("importing", "enabled")).toBe("Importing");
    expect(phaseLabel("live", null)).toBe("Live");
    expect(phaseLabel("stopped", "disabled")).toBe("Stopped (disabled in Mews)");
    expect(phaseLabel("stopped", "canceled")).toBe("Stopped (canceled in Mews)");
    expect(phaseLabel("stopped", "deleted")).toBe("Stopped (deleted in Mews)");
    expect(phaseLabel("stopped")).toBe("Stopped");
    expect(phaseLabel("refused", "enabled")).toBe("Token refused by Mews");
    expect(phaseLabel("refused")).toBe("Token refused by Mews");
  });

  it("shows a property whose token Mews refuses as a red badge", () => {
    render(<PhaseBadge phase="refused" integrationState="enabled" />);
    expect(screen.getByText("Token refused by Mews")).toHaveClass("bg-red-100");
  });

  it("shows a stopped property as a red badge, a live one as a green one", () => {
    render(
      <>
        <PhaseBadge phase="stopped" integrationState="disabled" />
        <PhaseBadge phase="live" />
      </>,
    );
    expect(screen.getByText("Stopped (disabled in Mews)")).toHaveClass("bg-red-100");
    expect(screen.getByText("Live")).toHaveClass("bg-green-100");
  });
});
