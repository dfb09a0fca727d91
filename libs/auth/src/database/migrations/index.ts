import { AuthApiKeys1733000000000 } from './1733000000000-api-keys';

/** Every migration of the credentials database, in order. Add new ones at the end; never edit an applied one. */
export const AUTH_MIGRATIONS = [AuthApiKeys1733000000000];
