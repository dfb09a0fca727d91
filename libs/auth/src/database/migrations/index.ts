import { AuthApiKeys1733000000000 } from './1733000000000-api-keys';
import { AuthAuditLog1733000000100 } from './1733000000100-audit-log';

/** Every migration of the credentials database, in order. Add new ones at the end; never edit an applied one. */
export const AUTH_MIGRATIONS = [AuthApiKeys1733000000000, AuthAuditLog1733000000100];
