/**
 * Why each mutant that survives `npm run mutation` survives (spec/audit.md §3): an equivalent
 * mutant (no test can tell it from the original, and the argument says why), or a mutant the
 * suite does not kill yet. Matched on file, mutator, the mutated code and the line it is on.
 * The audit lists every survivor; one without an entry here is shown as "unexplained".
 */

export interface SurvivorExplanation {
  readonly verdict: "equivalent" | "not killed";
  readonly why: string;
}

export interface SurvivorKey {
  readonly file: string;
  readonly mutator: string;
  readonly original: string;
  readonly replacement: string;
  readonly lineText: string;
}

interface Entry extends SurvivorExplanation {
  readonly file: string;
  readonly mutator?: string;
  /** A substring of the line the mutant is on. */
  readonly line: string;
  /** The mutated code exactly, when the line alone is ambiguous. */
  readonly original?: string;
  readonly replacement?: string;
}

const ENTRIES: readonly Entry[] = [];

export function explainSurvivor(key: SurvivorKey): SurvivorExplanation | undefined {
  const entry = ENTRIES.find(
    (e) =>
      e.file === key.file &&
      key.lineText.includes(e.line) &&
      (e.mutator === undefined || e.mutator === key.mutator) &&
      (e.original === undefined || e.original === key.original) &&
      (e.replacement === undefined || e.replacement === key.replacement),
  );
  return entry === undefined ? undefined : { verdict: entry.verdict, why: entry.why };
}
