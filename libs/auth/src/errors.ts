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

/** Moved to libs/http (every error filter uses it); re-exported for the existing imports. */
export { isErrorBody } from '@app/http';
