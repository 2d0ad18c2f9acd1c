import { ValidateIf } from 'class-validator';

/**
 * Like @IsOptional() but only for an absent property: an explicit `null` is still
 * validated (and refused by the other decorators), so PATCH bodies cannot null a required
 * column.
 */
export const IsOmittable = () => ValidateIf((_: object, v: unknown) => v !== undefined);
