import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ExportTotalsResponse } from './dto/billing.dto';
import {
  ApiQueryParams,
  EXPORT_QUERY,
  EXPORT_QUERY_DOCS,
  EXPORT_TOTALS_QUERY,
  EXPORT_TOTALS_QUERY_DOCS,
} from './query-docs';
import { Roles } from '@app/auth/nest';
import type { Response } from 'express';
import { ExportCharges, isProvisional, periodsOf } from '../application/export-charges';
import { badRequest } from '../domain/errors';
import { drainOrClose } from './drain-or-close';
import { ApiErrorResponses } from './dto/error-responses';

@ApiTags('exports')
@ApiErrorResponses()
@Roles('finance')
@Controller('v1/exports')
export class ExportsController {
  constructor(private readonly exportCharges: ExportCharges) {}

  @Get('charges')
  @ApiOperation({
    summary:
      'Charges booked in [from, to), streamed: csv, jsonl, ocpi-cdr (OCPI 2.2.1 CDRs) or datev (EXTF Buchungsstapel, one month)',
  })
  @ApiQueryParams(EXPORT_QUERY, EXPORT_QUERY_DOCS)
  @ApiProduces('text/csv', 'application/x-ndjson', 'application/json')
  @ApiOkResponse({
    description:
      'The export file (Content-Disposition names it; X-Export-Provisional: true while the range may still grow)',
    schema: { type: 'string', format: 'binary' },
  })
  async charges(
    @Query() query: { from?: string; to?: string; format?: string },
    @Res() res: Response,
  ): Promise<void> {
    const req = this.exportCharges.parse(query);
    if (req.format === 'datev' && periodsOf(req, this.exportCharges.settings.timeZone).length > 1) {
      throw badRequest(
        'a DATEV Buchungsstapel covers one booking period (month): ask for one month, or run `npm run -s export:charges -- --format datev --out-dir DIR` for one file per month',
        'DATEV_ONE_PERIOD',
      );
    }
    let opened = false;
    await this.exportCharges.run(req, async (name, contentType, encoding) => {
      if (opened) throw new Error('an HTTP export is one file');
      opened = true;
      res.status(200);
      res.setHeader('Content-Type', contentType);
      res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
      // A range ending less than EXPORT_SETTLE_MS ago may still gain charges that are committing now.
      res.setHeader('X-Export-Provisional', String(isProvisional(req)));
      return {
        write: async (chunk) => {
          if (chunk.length > 0 && !res.write(chunk, encoding)) await drainOrClose(res);
        },
        end: async () => {
          res.end();
        },
      };
    });
  }

  @Get('charges/totals')
  @ApiOperation({
    summary:
      'Row count and sums per currency of the charges booked in [from, to): what the export adds up to',
  })
  @ApiQueryParams(EXPORT_TOTALS_QUERY, EXPORT_TOTALS_QUERY_DOCS)
  @ApiOkResponse({ type: ExportTotalsResponse })
  async totals(@Query() query: { from?: string; to?: string }) {
    const req = this.exportCharges.parse({ ...query, format: 'csv' });
    return {
      from: req.from.toISOString(),
      to: req.to.toISOString(),
      totals: await this.exportCharges.totals(req),
    };
  }
}
