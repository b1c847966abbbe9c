import { IsString, Length } from 'class-validator';

/** `PATCH /me` body: `{"name"}` of 1 to 100 characters; anything else is a 400 from the ValidationPipe. */
export class ProfileDto {
  @IsString()
  @Length(1, 100)
  name!: string;
}
