import { IsOptional, IsUrl, Matches, MaxLength } from "class-validator";
import { Field, InputType } from "type-graphql";
import { SLUG_PATTERN } from "../lib/slug";
import { NOT_BLANK, URL_OPTIONS } from "./validation";

const SLUG_MESSAGE = "slug must be lowercase letters, digits and single dashes";

/** Name and slug, shared by authors and tags. */
@InputType()
abstract class CreateNamedInput {
  @Field()
  @Matches(NOT_BLANK, { message: "name must not be blank" })
  @MaxLength(200)
  name: string;

  @Field(() => String, { nullable: true, description: "Derived from the name when omitted; a taken slug gets a suffix." })
  @IsOptional()
  @Matches(SLUG_PATTERN, { message: SLUG_MESSAGE })
  @MaxLength(120)
  slug?: string | null;
}

@InputType()
abstract class UpdateNamedInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(NOT_BLANK, { message: "name must not be blank" })
  @MaxLength(200)
  name?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(SLUG_PATTERN, { message: SLUG_MESSAGE })
  @MaxLength(120)
  slug?: string | null;
}

@InputType()
export class CreateAuthorInput extends CreateNamedInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(5000)
  bio?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsUrl(URL_OPTIONS, { message: "avatarUrl must be an http(s) URL" })
  @MaxLength(2048)
  avatarUrl?: string | null;
}

@InputType({ description: "Omitted fields stay; bio and avatarUrl are cleared by an explicit null." })
export class UpdateAuthorInput extends UpdateNamedInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(5000)
  bio?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsUrl(URL_OPTIONS, { message: "avatarUrl must be an http(s) URL" })
  @MaxLength(2048)
  avatarUrl?: string | null;
}

@InputType()
export class CreateTagInput extends CreateNamedInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(5000)
  description?: string | null;
}

@InputType({ description: "Omitted fields stay; description is cleared by an explicit null." })
export class UpdateTagInput extends UpdateNamedInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(5000)
  description?: string | null;
}
