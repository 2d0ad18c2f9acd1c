import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { Public } from '../auth/decorators';
import { DbOutageRetry } from '../persistence/db-outage';

/**
 * Liveness/readiness: the process answers, the database responds to a ping, and no write is
 * waiting for the database (`databaseWrites` down with the number of waiting writes and for
 * how long: X2 data is then not being acknowledged, see DB_OUTAGE_MAX_MS).
 */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly outage: DbOutageRetry,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.db.pingCheck('database', { timeout: 2000 }),
      () => {
        const writes = this.indicators.check('databaseWrites');
        const state = this.outage.state;
        return state.retrying ? writes.down(state) : writes.up();
      },
    ]);
  }
}
