/** Writes libs/ocpp/src/ocpp16-types.generated.ts from the schemas (see render-types.ts). */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { OCPP16_SCHEMAS } from '../schemas';
import { formatTypes, GENERATED_TYPES_PATH } from './format';
import { renderOcpp16Types } from './render-types';

writeFileSync(GENERATED_TYPES_PATH, formatTypes(renderOcpp16Types(OCPP16_SCHEMAS)));
process.stdout.write(`wrote ${path.relative(process.cwd(), GENERATED_TYPES_PATH)}\n`);
