import { PricingInputError } from './errors';
import { quote } from './quote-request';

/** What the quote CLI writes and how it exits; kept pure so tests need no process. */
export interface QuoteCommandOutcome {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Exit code for a request that cannot be priced (not JSON, missing field, bad tariff). */
export const BAD_REQUEST_EXIT_CODE = 2;

/**
 * `npm run -s quote`: a JSON quote request in, the priced result (or INVALID) out with exit 0.
 * A bad request gets one line on stderr for people and a JSON error on stdout for scripts.
 */
export function runQuoteCommand(stdinText: string): QuoteCommandOutcome {
  if (stdinText.trim() === '') return badRequest('request', 'stdin is empty, expected a JSON quote request');
  let request: unknown;
  try {
    request = JSON.parse(stdinText);
  } catch (error) {
    return badRequest('request', `is not valid JSON (${(error as Error).message})`);
  }
  try {
    return { exitCode: 0, stdout: JSON.stringify(quote(request), null, 2) + '\n', stderr: '' };
  } catch (error) {
    if (error instanceof PricingInputError) return badRequest(error.path, error.detail);
    throw error;
  }
}

function badRequest(path: string, detail: string): QuoteCommandOutcome {
  const message = `${path}: ${detail}`.replace(/\s*\n\s*/g, ' ');
  return {
    exitCode: BAD_REQUEST_EXIT_CODE,
    stdout: JSON.stringify({ error: { code: 'BAD_REQUEST', path, message } }) + '\n',
    stderr: `quote: ${message}\n`,
  };
}
