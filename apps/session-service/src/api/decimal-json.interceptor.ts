import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { map, type Observable } from 'rxjs';
import { decimalModeOf, stringifyDecimalJson } from '@app/http/decimal-json';

/**
 * Writes a route's result with exact decimals: prices and amounts (`DecimalText` in the views) as
 * JSON numbers of their decimal text, or as decimal strings for a client that sends
 * `Accept: application/json; decimals=string`. Express' `res.json` would go through
 * `JSON.stringify`, which can only write them as strings.
 */
@Injectable()
export class DecimalJsonInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const mode = decimalModeOf(req.headers.accept);
    return next.handle().pipe(
      map((body: unknown) => {
        if (body === undefined || body === null || res.headersSent) return body;
        res.vary('Accept');
        res.type('application/json; charset=utf-8');
        return stringifyDecimalJson(body, mode);
      }),
    );
  }
}
