import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

/** One invalid request field, e.g. `{ field: 'targets.0.value', problems: ['…'] }`. */
export interface FieldError {
  field: string;
  problems: string[];
}

/** Flattens class-validator's nested errors into dotted field paths. */
export function fieldErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...fieldErrors(e.children ?? [], field)];
  });
}

/**
 * The global pipe: DTOs are whitelisted (unknown properties are a 400, never silently
 * dropped), transformed to their classes, and errors name every bad field.
 */
export function apiValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) =>
      new BadRequestException({ message: 'invalid request', errors: fieldErrors(errors) }),
  });
}
