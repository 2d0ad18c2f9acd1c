import { Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { ApiExceptionFilter } from './api-exception.filter';
import { AuditReadInterceptor } from './audited.decorator';
import { apiValidationPipe } from './validation';

/** Global HTTP policy: validation pipe, error mapping with auditing, audit of reads. */
@Module({
  providers: [
    { provide: APP_PIPE, useFactory: apiValidationPipe },
    { provide: APP_FILTER, useClass: ApiExceptionFilter },
    { provide: APP_INTERCEPTOR, useClass: AuditReadInterceptor },
  ],
})
export class HttpPolicyModule {}
