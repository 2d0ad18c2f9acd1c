import { HttpException, HttpStatus } from '@nestjs/common';
import { EntityNotFoundError, QueryFailedError } from 'typeorm';
import type { FieldError } from './validation';

/** The body of every API error response. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  errors?: FieldError[];
}

const PG_UNIQUE = '23505';
const PG_FOREIGN_KEY = '23503';

function body(statusCode: number, message: string, errors?: FieldError[]): ErrorBody {
  const error = (HttpStatus[statusCode] ?? 'ERROR')
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
  return errors ? { statusCode, error, message, errors } : { statusCode, error, message };
}

function dbConflict(e: QueryFailedError<Error>): string | null {
  const d = e.driverError as { code?: unknown } | undefined;
  const code = typeof d?.code === 'string' ? d.code : '';
  if (
    code === PG_UNIQUE ||
    code.startsWith('SQLITE_CONSTRAINT_UNIQUE') ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  ) {
    return 'conflicts with an existing record';
  }
  if (code === PG_FOREIGN_KEY || code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return 'refers to or is referred to by another record';
  }
  return null;
}

/**
 * Maps anything thrown while serving a request to a status and body. Client mistakes are
 * 4xx: HttpExceptions keep theirs (Nest reports malformed JSON as one), other body-parser
 * errors keep theirs (too large 413), unique and foreign-key violations that slipped past the services are 409,
 * missing entities 404. Only real faults are 500, with a generic message.
 */
export function toHttpError(e: unknown): ErrorBody {
  if (e instanceof HttpException) {
    const status = e.getStatus();
    const r = e.getResponse();
    if (typeof r === 'string') return body(status, r);
    const o = r as { message?: unknown; errors?: FieldError[] };
    const message = Array.isArray(o.message)
      ? o.message.join('; ')
      : typeof o.message === 'string'
        ? o.message
        : e.message;
    return body(status, message, o.errors);
  }
  if (e instanceof EntityNotFoundError) return body(404, 'not found');
  if (e instanceof QueryFailedError) {
    const conflict = dbConflict(e as QueryFailedError<Error>);
    if (conflict) return body(409, conflict);
  }
  const parser = e as { status?: unknown; type?: unknown; expose?: unknown };
  if (
    typeof parser.status === 'number' &&
    parser.status >= 400 &&
    parser.status < 500 &&
    parser.expose
  ) {
    return body(
      parser.status,
      parser.type === 'entity.too.large' ? 'request body too large' : 'bad request body',
    );
  }
  return body(500, 'internal error');
}
