import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Readiness: the service's database answers. */
@Injectable()
export class PostgresReadiness {
  readonly name = 'postgres';
  constructor(private readonly dataSource: DataSource) {}
  async check(): Promise<void> {
    await this.dataSource.query('select 1');
  }
}
