// The exit handling every command shares: a number from main() is the exit
// code; a configuration error prints its message; anything else prints one
// line (passed through `redact` first when the command handles personal data).
import { ConfigError } from "../config.ts";

/** A bad command line: the command prints it with its usage and exits with code 2. */
export class UsageError extends Error {}

export function runCli(name: string, main: () => Promise<number> | Promise<void>, redact: (text: string) => string = (t) => t): void {
  main().then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (error: unknown) => {
      const message =
        error instanceof ConfigError ? error.message : `${name} failed: ${error instanceof Error ? error.message : String(error)}`;
      console.error(redact(message));
      process.exitCode = 1;
    },
  );
}
