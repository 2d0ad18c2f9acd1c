import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { LoggerModule } from 'nestjs-pino';
import { register } from 'prom-client';
import { AuditApiModule } from './audit/audit-api.module';
import { AuditModule } from './audit/audit.module';
import { AuthApiModule, AuthModule, UsersModule } from './auth/auth.module';
import { MfConfigModule } from './config/config.module';
import { MfConfig } from './config/mf-config';
import { DestinationsApiModule, DestinationsModule } from './destinations/destinations.module';
import { DeliveryModule } from './handover/delivery.module';
import { OutboxModule } from './handover/outbox.module';
import { InterceptionModule } from './interception/interception.module';
import { HealthController } from './health/health.controller';
import { HttpPolicyModule } from './http/http-policy.module';
import { loggerParams } from './observability/logging';
import { MetricsController } from './observability/metrics.controller';
import { PersistenceModule } from './persistence/persistence.module';
import { SecurityModule } from './security/security.module';
import { WarrantsApiModule, WarrantsModule } from './warrants/warrants.module';

/**
 * Root module of the mediation function; feature modules are added per MF_ROLES. The
 * deny-by-default guard, validation and error mapping apply on every instance; the REST
 * routes (auth, users, warrants, destinations, audit) only with the `api` role.
 */
@Module({})
export class AppModule {
  static register(config: MfConfig): DynamicModule {
    const api = config.MF_ROLES.includes('api');
    return {
      module: AppModule,
      imports: [
        MfConfigModule.register(config),
        LoggerModule.forRoot(loggerParams(config.LOG_LEVEL)),
        PersistenceModule.register(config),
        SecurityModule,
        AuditModule,
        UsersModule,
        AuthModule,
        HttpPolicyModule,
        WarrantsModule,
        DestinationsModule,
        TerminusModule,
        PrometheusModule.register({
          path: '/metrics',
          controller: MetricsController,
          // prom-client's registry is per process: a second MF app in the same process
          // (tests, the lab) must not register the process metrics twice
          defaultMetrics: { enabled: !register.getSingleMetric('process_cpu_user_seconds_total') },
        }),
        OutboxModule,
        ...(config.MF_ROLES.includes('ingest') ? [InterceptionModule] : []),
        ...(config.MF_ROLES.includes('delivery') ? [DeliveryModule.register(config)] : []),
        ...(api ? [AuthApiModule, WarrantsApiModule, DestinationsApiModule, AuditApiModule] : []),
      ],
      controllers: [HealthController],
    };
  }
}
