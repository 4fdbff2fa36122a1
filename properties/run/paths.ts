/** Where generated files go (reports/ holds generated output only). */
export const COUNTEREXAMPLE_DIR = "reports/counterexamples";
