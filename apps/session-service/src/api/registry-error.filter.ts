import { Catch } from '@nestjs/common';
import type { HttpErrorReply } from '@app/http';
import { JsonErrorFilter, type RawReply } from '@app/http/nest';
import { RegistryNotAppliedError } from '../application/charger-registry';
import { RegistryError } from '../application/charger-registry-ports';

/**
 * The registry routes' errors: `{ "error": { "code", "message" } }` with the registry's codes (CHARGER_NOT_FOUND, CHARGER_EXISTS, ...). A 504 REGISTRY_NOT_APPLIED also
 * says which version to look for and carries a generated password: the change is stored, so this
 * answer is the only place it can be shown.
 */
@Catch()
export class RegistryErrorFilter extends JsonErrorFilter {
  protected override map(error: unknown): HttpErrorReply | RawReply | undefined {
    if (error instanceof RegistryNotAppliedError)
      return {
        status: error.status,
        body: {
          error: { code: error.code, message: error.message },
          id: error.chargePointId,
          version: error.version,
          applied: false,
          ...(error.password !== null ? { password: error.password } : {}),
        },
      };
    if (error instanceof RegistryError)
      return { status: error.status, code: error.code, message: error.message };
    return undefined;
  }
}
