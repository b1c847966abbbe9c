import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

// Long enough for any real credential, short enough that nobody hashes megabytes for us.
const MAX_FIELD_LENGTH = 1024;

/** `POST /auth/login` body; anything else is a 400 from the ValidationPipe, never a 401 or a 500. */
export class LoginDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_FIELD_LENGTH)
  username!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_FIELD_LENGTH)
  password!: string;
}
