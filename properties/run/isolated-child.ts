/**
 * The child side of isolated.ts: runs the property and prints `OP <execution> <op json>` before
 * every step (writes to a pipe are synchronous on Linux, so the line is out before the step can
 * hang), then `RESULT <json>`.
 */
import { opToJson } from "../model/ops.ts";
import type { SubjectFactory } from "../model/subject.ts";
import { propertyById } from "../properties.ts";
import type { IsolatedRequest } from "./isolated.ts";
import { runProperty } from "./run-property.ts";

const request = JSON.parse(process.argv[2]!) as IsolatedRequest;
const module = (await import(new URL(request.target.module, import.meta.url).href)) as Record<
  string,
  (options: unknown) => SubjectFactory
>;
const factory = module[request.target.factory]!(request.target.options);
const result = runProperty(propertyById(request.property), factory, {
  implementation: request.target.name,
  profile: request.profile,
  family: request.family,
  seed: request.seed,
  ...(request.sizeLimit !== undefined ? { sizeLimit: request.sizeLimit } : {}),
  ...(request.misuseKinds !== undefined ? { misuseKinds: request.misuseKinds } : {}),
  ...(request.contract !== undefined ? { contract: request.contract } : {}),
  beforeStep: (op, execution) =>
    process.stdout.write(`OP ${execution} ${JSON.stringify(opToJson(op))}\n`),
});
process.stdout.write(
  `RESULT ${JSON.stringify(result, (_, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v))}\n`,
);
