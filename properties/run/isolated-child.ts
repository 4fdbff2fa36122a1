/**
 * The child side of isolated.ts: runs the property and prints `OP <execution> <op json>` before
 * every step (writes to a pipe are synchronous on Linux, so the line is out before the step can
 * hang), then `RESULT <json>`.
 */
import { exhaustiveChecks, runExhaustive } from "../exhaustive/bounded.ts";
import { TINY_GEOMETRIES } from "../generators/geometry.ts";
import { DEFAULT_CONTRACT, resolveContract, type MisuseCode } from "../model/contract.ts";
import { opToJson, type Op } from "../model/ops.ts";
import type { SubjectFactory } from "../model/subject.ts";
import { propertyById } from "../properties.ts";
import type { IsolatedRequest } from "./isolated.ts";
import { runProperty } from "./run-property.ts";

const request = JSON.parse(process.argv[2]!) as IsolatedRequest;
const { target } = request;
const module = (await import(new URL(target.module, import.meta.url).href)) as Record<
  string,
  unknown
>;
const exported = module[target.factory];
const factory =
  "options" in target
    ? (exported as (options: unknown) => SubjectFactory)(target.options)
    : (exported as SubjectFactory);
const misuseCode = request.contract?.misuseCode ? (module.misuseCode as MisuseCode) : undefined;
const log = (op: Op, execution: number) =>
  process.stdout.write(`OP ${execution} ${JSON.stringify(opToJson(op))}\n`);
const contract =
  request.contract !== undefined ? resolveContract(request.contract, misuseCode) : undefined;
const result =
  request.exhaustive !== undefined
    ? runExhaustive(
        factory,
        TINY_GEOMETRIES,
        request.exhaustive.length,
        exhaustiveChecks(
          request.exhaustive.properties.map(propertyById),
          contract ?? DEFAULT_CONTRACT,
        ),
        contract,
        request.deadlineMs,
        log,
      )
    : runProperty(propertyById(request.property!), factory, {
        implementation: target.name,
        profile: request.profile,
        family: request.family!,
        seed: request.seed!,
        ...(request.sizeLimit !== undefined ? { sizeLimit: request.sizeLimit } : {}),
        ...(request.misuseKinds !== undefined ? { misuseKinds: request.misuseKinds } : {}),
        ...(contract !== undefined ? { contract } : {}),
        ...(request.counterexampleDir !== undefined
          ? { counterexampleDir: request.counterexampleDir }
          : {}),
        ...(request.deadlineMs !== undefined ? { deadlineMs: request.deadlineMs } : {}),
        beforeStep: log,
      });
process.stdout.write(
  `RESULT ${JSON.stringify(result, (_, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v))}\n`,
);
