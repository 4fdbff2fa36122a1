/**
 * `--adapter MODULE`: the module whose default export is an allocator's factory,
 * `(geometry) => Subject` (properties/model/subject.ts), as verifyAllocator was given it. It may
 * also export `contract` and `misuseCode` (spec/invariants.md §Contracts). A `.js` or `.mjs`
 * module loads anywhere; a `.ts` one where tsx (or vitest) is loaded. Every way it can fail is a
 * UsageError: one line, exit code 2.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Contract, MisuseCode } from "../../properties/model/contract.ts";
import type { SubjectFactory } from "../../properties/model/subject.ts";
import { UsageError } from "./args.ts";

export interface Adapter {
  readonly factory: SubjectFactory;
  readonly contract?: Contract;
  readonly misuseCode?: MisuseCode;
}

const describe = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message.split("\n")[0]}` : String(error);

export async function loadAdapter(module: string, command: string): Promise<Adapter> {
  const path = resolve(module);
  if (!existsSync(path))
    throw new UsageError(
      `${command}: --adapter ${module} does not exist; give the module whose default export is the allocator's factory`,
    );
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === "ERR_UNKNOWN_FILE_EXTENSION" && /\.[cm]?ts$/.test(path))
      throw new UsageError(
        `${command}: --adapter ${module} is TypeScript and tsx is not loaded: compile it to .js, or run allocheck with NODE_OPTIONS="--import tsx"`,
      );
    throw new UsageError(`${command}: --adapter ${module} could not be loaded: ${describe(error)}`);
  }
  const factory = loaded.default;
  if (typeof factory !== "function")
    throw new UsageError(
      `${command}: --adapter ${module} has no default export that is a function; export default the factory, (geometry) => allocator`,
    );
  const { contract, misuseCode } = loaded;
  return {
    factory: factory as SubjectFactory,
    ...(typeof contract === "object" && contract !== null
      ? { contract: contract as Contract }
      : {}),
    ...(typeof misuseCode === "function" ? { misuseCode: misuseCode as MisuseCode } : {}),
  };
}
