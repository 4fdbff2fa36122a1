// Puts the free-list allocator through allocheck's properties and prints the verdict:
//
//   node examples/free-list/verify.mjs [quick|ci|deep]
//
// Exit code 0 when every property that applies passes, 1 otherwise.
import { describeResult, verifyAllocator } from "allocheck";
import { contract, freeListFactory, misuseCode } from "./free-list.mjs";

const report = verifyAllocator(freeListFactory, {
  name: "free-list",
  profile: process.argv[2] ?? "quick",
  contract,
  misuseCode,
});

// A failure prints its invariant, shrunk steps, seed, counterexample file and replay command.
for (const r of report.results)
  console.log(
    r.verdict === "fail"
      ? describeResult(r)
      : `${r.property} (${r.family}): ${r.verdict}, ${r.runs} runs, seed ${r.seed}`,
  );
for (const s of report.skipped) console.log(`${s.property}: not applicable (${s.reason})`);
if (report.exhaustive !== undefined)
  console.log(`bounded-exhaustive: ${report.exhaustive.failure === undefined ? "pass" : "fail"}`);
console.log(
  `free-list: ${report.verdict}, ${report.operations.toLocaleString("en-US")} operations in ${report.seconds.toFixed(1)} s`,
);
process.exitCode = report.verdict === "pass" ? 0 : 1;
