/**
 * `npm run -s quote < request.json`: prices one session for finance and support with the same
 * code billing-service uses for charges (`@app/pricing`). See `runQuoteCommand` for the contract.
 */
import { BAD_REQUEST_EXIT_CODE, runQuoteCommand } from '@app/pricing';

const USAGE =
  'usage: npm run -s quote < request.json\n' +
  '  request: { "tariff": {...}, "meter_start": Wh, "meter_stop": Wh, "started_at": ISO, "completed_at": ISO }\n';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  // Waiting silently for a terminal to type JSON into would look like a hang.
  if (process.stdin.isTTY) {
    process.stderr.write(USAGE);
    process.exitCode = BAD_REQUEST_EXIT_CODE;
    return;
  }
  const outcome = runQuoteCommand(await readStdin());
  process.stdout.write(outcome.stdout);
  process.stderr.write(outcome.stderr);
  process.exitCode = outcome.exitCode;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `quote: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
