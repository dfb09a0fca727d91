/** The one name-based uuid helper lives in libs/contracts; this name stays for the session-service files that import it. */
export { nameUuid } from '@app/contracts';
