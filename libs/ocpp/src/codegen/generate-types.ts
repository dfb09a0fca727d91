/** Writes libs/ocpp/src/ocpp16-types.generated.ts and ocpp201-types.generated.ts from the schemas (see render-types.ts). */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { OCPP16_SCHEMAS, OCPP201_SCHEMAS } from '../schemas';
import { formatTypes, GENERATED_201_TYPES_PATH, GENERATED_TYPES_PATH } from './format';
import { renderOcpp16Types, renderOcpp201Types } from './render-types';

for (const [file, text] of [
  [GENERATED_TYPES_PATH, renderOcpp16Types(OCPP16_SCHEMAS)],
  [GENERATED_201_TYPES_PATH, renderOcpp201Types(OCPP201_SCHEMAS)],
] as const) {
  writeFileSync(file, formatTypes(text, file));
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}
