import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { MfConfig } from './mf-config';

/** Injection token of the validated, typed MF configuration. */
export const MF_CONFIG = Symbol('MF_CONFIG');

/**
 * Makes the already-validated configuration available everywhere: as `MF_CONFIG` (typed)
 * and through @nestjs/config's ConfigService. Validation happens before Nest starts
 * (main.ts), so a bad value ends the process with a clear message and no stack trace.
 */
@Global()
@Module({})
export class MfConfigModule {
  static register(config: MfConfig): DynamicModule {
    return {
      module: MfConfigModule,
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => config], isGlobal: true }),
      ],
      providers: [{ provide: MF_CONFIG, useValue: config }],
      exports: [MF_CONFIG],
    };
  }
}
