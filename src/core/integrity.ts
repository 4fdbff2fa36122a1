/**
 * "A check found a problem", in one place (invariant 12). Every `check()` validator records what
 * it finds in a `Problems` collector and throws once at the end:
 *
 *   const problems = new Problems();
 *   problems.expect(live === pool.live)`arena ${slot} pool ${index}: live = ${pool.live} but ${live} blocks are live`;
 *   problems.include(set.summaryProblems())`partly-used set of class ${c}: `;
 *   problems.throwIfAny(this.kind); // IntegrityError (errors.ts) listing every problem
 *
 * The message is a tagged template that follows the call. Its values are evaluated (numbers,
 * booleans, arrays the condition needed anyway), but the string is built only when the condition
 * fails: a passing check builds no string and creates no closure, which matters because the
 * properties run `check()` after every operation. A value that needs formatting (an address in
 * hex) is passed as `new Hex(address)` and formatted only with its message.
 *
 * The branch a correct heap never takes, "a problem was found", is therefore only here, and it is
 * excluded from coverage (spec/coverage.md). Validators keep their conditions free of branches a
 * correct heap never takes: every operand of an `&&`, `||` or `?:` in a condition is evaluated on
 * some correct heap, and control flow (`continue`, `if`) goes both ways on correct heaps.
 */
import { IntegrityError, hex } from "./errors.ts";

/** The tag that follows `expect(ok)` or `include(found)`: the message, as a template literal. */
export type MessageTag = (strings: TemplateStringsArray, ...values: unknown[]) => void;

/** The tag of a passing check: it ignores its template, so nothing is built. */
const pass: MessageTag = () => {};

/** The list of a collector that has recorded nothing: one shared, frozen, empty array. */
const NONE: readonly string[] = Object.freeze([]);

export class Problems {
  /**
   * The messages recorded so far, in the order the checks ran: NONE until the first, so that a
   * passing check allocates no list (the properties run `check()` after every operation, and a
   * check collects its parts' findings in collectors of their own: a pool's bits, each set).
   */
  list: readonly string[] = NONE;

  /**
   * Unless `ok`, records the message spelled by the tagged template that follows:
   * `problems.expect(a === b)\`a = ${a} but b = ${b}\``. Without the template nothing is recorded.
   */
  expect(ok: boolean): MessageTag {
    /* v8 ignore next -- @preserve reached only when a structure is corrupt: covered by properties/tests/bitmap-check.test.ts (spec/coverage.md) */
    if (!ok)
      return (strings, ...values) => void (this.list = [...this.list, format(strings, values)]);
    return pass;
  }

  /**
   * Records every message in `found` (problems a part reported on its own), each prefixed by the
   * tagged template that follows: `problems.include(set.summaryProblems())\`bucket ${e}: \``.
   */
  include(found: readonly string[]): MessageTag {
    /* v8 ignore next -- @preserve reached only when a structure is corrupt: covered by properties/tests/bitmap-check.test.ts (spec/coverage.md) */
    if (found.length > 0) {
      return (strings, ...values) => {
        const prefix = format(strings, values);
        this.list = [...this.list, ...found.map((message) => prefix + message)];
      };
    }
    return pass;
  }

  /** Throws `IntegrityError(kind, list)` when any problem was recorded. */
  throwIfAny(kind: string): void {
    /* v8 ignore next -- @preserve reached only when a structure is corrupt: covered by properties/tests/bitmap-check.test.ts (spec/coverage.md) */
    if (this.list.length > 0) throw new IntegrityError(kind, this.list);
  }
}

/** An address in a message, shown as `hex(address)` (errors.ts) once the message is built. */
export class Hex {
  readonly address: number;

  constructor(address: number) {
    this.address = address;
  }

  /* v8 ignore next -- @preserve reached only when a structure is corrupt: formats a failing reference check's message, which no test provokes (spec/coverage.md) */
  toString(): string {
    return hex(this.address);
  }
}

/** Whether two lists of numbers are equal, element by element (no strings built). */
export function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A template literal's text: what `\`…${v}…\`` would have produced (ToString of each value). */
/* v8 ignore next -- @preserve reached only when a structure is corrupt: formats a failing check's message; covered by properties/tests/bitmap-check.test.ts */
function format(strings: TemplateStringsArray, values: readonly unknown[]): string {
  let text = strings[0]!;
  for (let i = 0; i < values.length; i++) text += String(values[i]) + strings[i + 1]!;
  return text;
}
