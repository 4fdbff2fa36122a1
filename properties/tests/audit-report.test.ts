/**
 * reports/audit.md's renderer (properties/audit/audit-report.ts, spec/audit.md) on fixed inputs
 * (support/audit-fixtures.ts): the text is compared byte for byte with the snapshots in
 * snapshots/, which the renderer wrote before it was cut into one function per section. A change
 * of the report's text shows here; `npx vitest run properties/tests/audit-report.test.ts -u`
 * accepts it after reading the diff.
 */
import { describe, expect, test } from "vitest";
import { renderAudit } from "../audit/audit-report.ts";
import { FAILED_AUDIT, FULL_AUDIT } from "./support/audit-fixtures.ts";

const HEADINGS = [
  "# allocheck audit",
  "## Headline",
  "## 1. Coverage of src/ by the properties alone",
  "## 2. Seeded bugs and the kill matrix",
  "## 3. Mutation testing (StrykerJS)",
  "## 4. Reachability (the bitmap allocator, verifyAllocator, ci profile)",
  "## 5. An outside allocator",
  "## Reproduce",
];

describe("renderAudit", () => {
  test.each([
    ["every section measured, the full matrix", FULL_AUDIT, "audit-report-full.md"],
    ["every section failed, gate mode", FAILED_AUDIT, "audit-report-failed.md"],
  ])("%s: the report as before, its sections in order", async (_, data, snapshot) => {
    const text = renderAudit(data);
    const headings = text.split("\n").filter((l) => l.startsWith("#"));
    expect(headings).toEqual(HEADINGS);
    await expect(text).toMatchFileSnapshot(`./snapshots/${snapshot}`);
  });
});

describe("the mutation score", () => {
  const headline = (data: typeof FULL_AUDIT) =>
    renderAudit(data)
      .split("\n")
      .find((l) => l.startsWith("| Mutation score"))!;
  test("is printed when the recorded sources are the files on disk, and 'stale' instead when not", () => {
    if ("error" in FULL_AUDIT.mutation) throw new Error("the fixture has a mutation section");
    const current = { ...FULL_AUDIT.mutation, changedSince: [], missing: [] };
    expect(headline({ ...FULL_AUDIT, mutation: current })).toMatch(/\*\*96\.3%\*\*/);
    const stale = headline(FULL_AUDIT);
    expect(stale).toMatch(
      /stale: changed since the run: src\/allocators\/bitmap\/pool-bitmaps\.ts/,
    );
    expect(stale).not.toMatch(/%/);
  });
});
