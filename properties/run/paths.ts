/** Where generated files go (reports/ holds generated output only). */
export const REPORTS_DIR = "reports";
/** The counterexamples' folder inside a reports folder. */
export const COUNTEREXAMPLE_FOLDER = "counterexamples";
export const COUNTEREXAMPLE_DIR = `${REPORTS_DIR}/${COUNTEREXAMPLE_FOLDER}`;
