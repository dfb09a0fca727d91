/** Why a request was refused; the Nest guard turns these into 401/403/503 with `{ error: { code, message } }`. */
export type AuthErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'AUTH_UNAVAILABLE';

const STATUS: Record<AuthErrorCode, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, AUTH_UNAVAILABLE: 503 };

export class AuthError extends Error {
  readonly status: number;
  constructor(
    readonly code: AuthErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
    this.status = STATUS[code];
  }
}

export const unauthenticated = (message: string) => new AuthError('UNAUTHENTICATED', message);
export const forbidden = (message: string) => new AuthError('FORBIDDEN', message);

/** True for a body already shaped `{ error: { code, message } }` (error filters pass these through). */
export function isErrorBody(body: unknown): body is { error: { code: string; message: string } } {
  if (typeof body !== 'object' || body === null) return false;
  const error = (body as { error?: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}
