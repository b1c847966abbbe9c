import { BadRequestException, ValidationPipe } from '@nestjs/common';

// Fastify's JSON parser refuses these keys; Express's keeps them as own properties, which class-transformer
// then drops silently. Refusing them before the DTO is built makes both platforms answer 400.
const POLLUTING_KEYS = ['__proto__', 'constructor', 'prototype'];

/**
 * The sample's body validation: DTO classes checked by class-validator; unknown
 * properties are a 400 (`forbidNonWhitelisted`), never silently dropped; handlers
 * get DTO instances (`transform`), so a missing body arrives as an empty DTO.
 */
export class SampleValidationPipe extends ValidationPipe {
  constructor() {
    super({ whitelist: true, forbidNonWhitelisted: true, transform: true });
  }

  override transform(value: unknown, metadata: Parameters<ValidationPipe['transform']>[1]): Promise<unknown> {
    if (metadata.type === 'body' && typeof value === 'object' && value !== null) {
      const polluting = POLLUTING_KEYS.find((key) => Object.prototype.hasOwnProperty.call(value, key));
      if (polluting) throw new BadRequestException(`The body holds a forbidden key "${polluting}".`);
    }
    return super.transform(value, metadata);
  }
}
