import { IsOptional, IsString } from 'class-validator';

/**
 * `POST /auth/refresh` body. No body, or no `refreshToken`, is fine (cookie mode
 * or the coded REFRESH_TOKEN_MISSING); a `refreshToken` that is not a string is a 400.
 * No length limit here: an unknown token of any length is the library's REFRESH_TOKEN_INVALID.
 */
export class RefreshDto {
  @IsOptional()
  @IsString()
  refreshToken?: string;
}
