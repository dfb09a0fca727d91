// The Nest pieces of libs/http (the rest is framework-free): `import { JsonErrorFilter } from '@app/http/nest'`.
export * from './error-filter';
export * from './error-response.dto';
