/**
 * The part of Vitest's API the mutation test set uses (`describe`, `it` / `test`, their `.each`, `expect`),
 * without Vitest: the in-process Stryker runner (in-process-runner.ts) maps the `vitest` import of
 * the test files here, so the very files `npm test` runs are collected into a list of named
 * functions and run in one process with no per-run Vitest cost (spec/audit.md §3). `expect` is
 * Vitest's own (@vitest/expect on chai), so a matcher fails here exactly when it fails there.
 */
import { format } from "node:util";
import {
  chai,
  JestAsymmetricMatchers,
  JestChaiExpect,
  JestExtend,
  setState,
  type ExpectStatic,
} from "@vitest/expect";

/** One collected test: its file (relative to the sandbox), its full name, its body. */
export interface CollectedTest {
  readonly file: string;
  readonly name: string;
  readonly body: () => unknown;
}

const collected: CollectedTest[] = [];
const suites: string[] = [];
let currentFile = "";

/** Collects the tests `load` registers (it imports one test file) under `file`. */
export async function collectFrom(file: string, load: () => Promise<unknown>): Promise<void> {
  currentFile = file;
  try {
    await load();
  } finally {
    currentFile = "";
  }
}

export function collectedTests(): readonly CollectedTest[] {
  return collected;
}

function describeOne(name: string, body: () => void): void {
  suites.push(name);
  try {
    body();
  } finally {
    suites.pop();
  }
}

function itOne(name: string, body: () => unknown): void {
  if (currentFile === "") throw new Error(`test "${name}" registered outside a collected file`);
  collected.push({ file: currentFile, name: [...suites, name].join(" > "), body });
}

/** printf placeholders of a `.each` title, as Vitest counts them (`%%` is a literal percent). */
const PLACEHOLDER = /%[sdifjoOc]/g;

/**
 * Vitest's `.each(table)(title, fn)`: one call per row, an array row spread into the arguments, the
 * title formatted with the row (`%#` its index, then printf placeholders, as Vitest does). The
 * titles only need to be stable and distinct: Stryker matches tests by name between runs.
 */
function each<Row>(register: (name: string, body: () => unknown) => void) {
  return (table: readonly Row[]) =>
    (title: string, fn: (...args: never[]) => unknown): void => {
      table.forEach((row, index) => {
        const args = (Array.isArray(row) ? row : [row]) as never[];
        const template = title.replaceAll("%#", String(index));
        const used = (template.match(PLACEHOLDER) ?? []).length;
        register(format(template, ...args.slice(0, used)), () => fn(...args));
      });
    };
}

export const describe = Object.assign(describeOne, { each: each(describeOne) });
export const it = Object.assign(itOne, { each: each(itOne) });
export const test = it;

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

export const expect = Object.assign(
  (value: unknown, message?: string) => chai.expect(value, message),
  chai.expect,
) as unknown as ExpectStatic;
setState(
  {
    assertionCalls: 0,
    isExpectingAssertions: false,
    isExpectingAssertionsError: null,
    expectedAssertionsNumber: null,
    expectedAssertionsNumberErrorGen: null,
  },
  expect,
);
