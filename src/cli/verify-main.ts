/**
 * `npm run verify` until the property suite lands (issue 4): runs the vitest suites with the
 * JSON reporter and writes `reports/summary.md` and `reports/summary.json` (per suite: tests,
 * passed, failed, time). Exit code 1 when anything failed.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import { arch, cpus, platform } from "node:os";

interface VitestJson {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  testResults: { name: string; status: string; startTime: number; endTime: number; assertionResults: { status: string }[] }[];
}

mkdirSync("reports", { recursive: true });
const started = Date.now();
const run = spawnSync("npx", ["vitest", "run", "--reporter=default", "--reporter=json", "--outputFile.json=reports/vitest.json"], {
  stdio: "inherit",
});
const result = JSON.parse(readFileSync("reports/vitest.json", "utf8")) as VitestJson;
const suites = result.testResults.map((file) => ({
  suite: relative(process.cwd(), file.name),
  status: file.status,
  tests: file.assertionResults.length,
  passed: file.assertionResults.filter((t) => t.status === "passed").length,
  failed: file.assertionResults.filter((t) => t.status === "failed").length,
  seconds: (file.endTime - file.startTime) / 1000,
}));
const summary = {
  verdict: result.numFailedTests === 0 && run.status === 0 ? "pass" : "fail",
  date: new Date().toISOString(),
  node: process.version,
  machine: `${cpus()[0]?.model ?? "unknown CPU"} × ${cpus().length}, ${platform()} ${arch()}`,
  seconds: (Date.now() - started) / 1000,
  tests: { total: result.numTotalTests, passed: result.numPassedTests, failed: result.numFailedTests },
  suites,
};
writeFileSync("reports/summary.json", JSON.stringify(summary, null, 2) + "\n");
const rows = suites.map((s) => `| ${s.suite} | ${s.status} | ${s.tests} | ${s.passed} | ${s.failed} | ${s.seconds.toFixed(1)} |`);
writeFileSync(
  "reports/summary.md",
  [
    `# allocheck verify: ${summary.verdict}`,
    "",
    `${summary.date}, Node ${summary.node}, ${summary.machine}; ${summary.seconds.toFixed(1)} s.`,
    "",
    `${summary.tests.passed} of ${summary.tests.total} tests passed.`,
    "",
    "| suite | status | tests | passed | failed | seconds |",
    "|---|---|---|---|---|---|",
    ...rows,
    "",
  ].join("\n"),
);
console.log(`\nverify: ${summary.verdict}; wrote reports/summary.md and reports/summary.json`);
process.exit(summary.verdict === "pass" ? 0 : 1);
