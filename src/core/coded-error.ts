/**
 * The shape every typed error of allocheck's public API shares (spec/errors.md): a stable `code`
 * a program can switch on, and a message that starts with that code so one printed line says both.
 * AllocatorError (misuse of an allocator), VerifyOptionsError (bad options of verifyAllocator) and
 * WasmSubjectError (a WebAssembly module that cannot be driven) are its kinds; each declares its
 * own list of codes beside it.
 */
export class CodedError<Code extends string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}
