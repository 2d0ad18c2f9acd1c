import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { MfConfig } from './config/mf-config';
import { httpsOptions } from './http/https-options';

/**
 * Builds and starts the MF HTTP side (REST, /health, /metrics, /docs) on the configured
 * address, over HTTPS when HTTP_TLS is set. /docs is public (demo choice), like /health and
 * /metrics; every other route passes the global ApiAuthGuard. A failing provider rejects
 * the returned promise (abortOnError false) so callers decide how to exit.
 */
export async function startMf(config: MfConfig): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.register(config), {
    bufferLogs: true,
    abortOnError: false,
    httpsOptions: httpsOptions(config),
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  const doc = new DocumentBuilder()
    .setTitle('LI mediation function')
    .setDescription('Warrant provisioning, audit log, health and metrics of the DF2/MF')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc));
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  return app;
}
