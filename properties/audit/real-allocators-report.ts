/**
 * reports/audit.md's "Real allocators" section and headline row, from auditRealAllocators
 * (real-allocators.ts): per allocator × round × property the verdict, and for each finding its
 * shrunk counterexample and one line on what it means. The findings are pinned by
 * properties/tests/real-allocator-findings.test.ts.
 */
import { formatOp } from "../model/ops.ts";
import type { RealAllocatorsAudit, RealFinding } from "./real-allocators.ts";

type Failed = { readonly error: string };

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** What a finding means, by its property and verdict (misuse is undefined behaviour in C). */
export function findingMeaning(f: RealFinding): string {
  if (f.verdict === "pass") return "";
  if (f.verdict === "trap")
    return "the heap was corrupted by the misuse before it; a later valid call followed a corrupted link outside the memory and WebAssembly stopped it";
  if (f.verdict === "hang")
    return "no answer within the deadline: a corrupted free list may loop, or the run is slow (a documented-use hang is rerun before it is called a bug)";
  if (f.verdict === "crash") return "the child process died";
  switch (f.property) {
    case "I09-misuse-rejected":
      return "this misuse was accepted without a word (C leaves it undefined)";
    case "I01-disjoint":
      return "after the misuse a block still live was handed out again: the free list holds a live block";
    case "I08-payload-integrity":
      return "the misuse made the allocator write its free-list links into a live block";
    case "I03-aligned":
      return "an interior pointer, once freed, went onto a free list and came back from malloc misaligned";
    case "I02-contained":
      return "a block outside the heap";
    case "I10-no-spurious-oom":
      return "null while the heap had room";
    default:
      return f.message ?? "";
  }
}

export function realAllocatorsRow(a: RealAllocatorsAudit | Failed): string {
  if ("error" in a) return `| Real allocators | not run: ${cell(a.error)} |`;
  const parts = a.allocators.map(({ allocator, rounds }) => {
    const byRound = rounds.map(({ round, findings }) => {
      const bad = findings.filter((f) => f.verdict !== "pass");
      return `${round.name} ${bad.length === 0 ? "all pass" : bad.map((f) => `${f.property.slice(0, 3)} ${f.verdict}`).join(", ")}`;
    });
    return `${allocator.name}: ${byRound.join("; ")}`;
  });
  return `| Real allocators (§6) | ${cell(parts.join(". "))} |`;
}

export function realAllocatorsSection(a: RealAllocatorsAudit | Failed): string[] {
  if ("error" in a) return ["## 6. Real allocators", "", a.error, ""];
  return [
    "## 6. Real allocators",
    "",
    `Production allocators compiled to WebAssembly, each adapted by wasmSubject (properties/audit/adapters/), through the properties that apply to C's malloc, each in a child process with a ${(a.deadlineMs / 1000).toFixed(0)} s deadline, ${a.profile} profile, tiny family (properties/audit/real-allocators.ts). Alignment is C's rule with Emscripten's max_align_t, 8 (adapters/emscripten.ts). Every finding is pinned by properties/tests/real-allocator-findings.test.ts; documented use is also run by npm test (properties/tests/real-allocators.test.ts).`,
    "",
    ...a.allocators.flatMap(({ allocator, rounds }) => [
      `### ${allocator.label}`,
      "",
      ...rounds.flatMap(({ round, findings }) => [
        `**Round "${round.name}"**: ${round.description}.`,
        "",
        "| Property | Verdict | Runs | Seed | Shrunk counterexample | Finding | What it means |",
        "|---|---|---:|---:|---|---|---|",
        ...findings.map(
          (f) =>
            `| ${f.property} | ${f.verdict} | ${f.runs ?? ""} | ${f.seed} | ${f.operations && f.verdict !== "pass" ? cell(f.operations.map(formatOp).join(", ").slice(0, 400)) : ""} | ${f.message ? cell(f.message.slice(0, 300)) : ""} | ${cell(findingMeaning(f))} |`,
        ),
        "",
      ]),
    ]),
  ];
}
