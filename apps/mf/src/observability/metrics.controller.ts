import { Controller, Get, Res } from '@nestjs/common';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { Response } from 'express';
import { Public } from '../auth/decorators';

/**
 * Prometheus scrape endpoint, public like /health and /docs (demo choice: in production put
 * it behind the network policy or a scrape token; it holds counters, no warrant data).
 */
@Controller()
@Public()
export class MetricsController extends PrometheusController {
  @Get()
  override index(@Res({ passthrough: true }) response: Response) {
    return super.index(response);
  }
}
