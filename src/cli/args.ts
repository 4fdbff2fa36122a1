/**
 * The one argument parser of the allocheck CLI: `command [positional …] [--flag value | --switch]`.
 * Bad arguments raise UsageError, which the CLI prints as one line and exits with code 2. The
 * environment (ALLOCHECK_PROFILE, ALLOCHECK_SEED) has its one reader too, properties/profiles.ts,
 * shared with verifyAllocator, whose VerifyOptionsError the CLI prints the same way.
 *
 * Why not node's util.parseArgs: it rejects unknown flags (strict) but not the rest of what this
 * parser refuses, so it would need this file's checks around it anyway: a flag's allowed values
 * (`--profile huge`), a blank value (`--seed=`, `--seed " "`, which would be seed 0), a flag
 * taken as another's value (`--seed --profile`), and how many positional arguments a command
 * takes; and its errors (ERR_PARSE_ARGS_*) name no command and no remedy. Sixty lines with
 * their tests (cli.test.ts, bad-input.test.ts) cost less than that wrapper, and no dependency.
 */

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export interface FlagSpec {
  /** Flags that take a value, with the allowed values (undefined: any). */
  readonly values: Record<string, readonly string[] | undefined>;
  /** Flags that take no value. */
  readonly switches: readonly string[];
  /** How many positional arguments the command takes; more is a UsageError. Default: any. */
  readonly positional?: number;
}

export interface ParsedArgs {
  readonly positional: string[];
  readonly flags: Record<string, string>;
  readonly switches: Set<string>;
}

export function parseArgs(argv: readonly string[], spec: FlagSpec, command: string): ParsedArgs {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split("=", 2) as [string, string | undefined];
    if (spec.switches.includes(name)) {
      switches.add(name);
      continue;
    }
    if (!(name in spec.values)) {
      const known = [...Object.keys(spec.values), ...spec.switches].map((f) => `--${f}`).join(", ");
      throw new UsageError(
        `${command}: unknown option --${name}; options: ${known}. See allocheck ${command} --help`,
      );
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value.trim() === "" || value.startsWith("--"))
      throw new UsageError(`${command}: --${name} needs a value`);
    const allowed = spec.values[name];
    if (allowed !== undefined && !allowed.includes(value))
      throw new UsageError(`${command}: --${name} ${value}: use one of ${allowed.join(", ")}`);
    flags[name] = value;
  }
  const extra = spec.positional === undefined ? undefined : positional[spec.positional];
  if (extra !== undefined)
    throw new UsageError(
      `${command}: unexpected argument "${extra}"; see allocheck ${command} --help`,
    );
  return { positional, flags, switches };
}

export function integerFlag(args: ParsedArgs, name: string, command: string): number | undefined {
  const raw = args.flags[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value))
    throw new UsageError(`${command}: --${name} ${raw}: use an integer`);
  return value;
}
