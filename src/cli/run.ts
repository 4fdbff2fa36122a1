/** The CLI entry: `tsx src/cli/run.ts <command> …` (npm scripts) and the `allocheck` bin. */
import { main } from "./main.ts";

process.exitCode = main(process.argv.slice(2));
