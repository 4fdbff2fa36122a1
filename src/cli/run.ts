/** The CLI entry: `tsx src/cli/run.ts <command> …` (npm scripts) and the `allocheck` bin. */
import { main } from "./main.ts";

// `allocheck scenario pinned | head`: a closed pipe ends the output quietly, not with a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await main(process.argv.slice(2));
