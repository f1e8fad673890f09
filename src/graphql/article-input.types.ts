import { ArrayMaxSize, IsOptional, IsUrl, Matches, MaxLength, ValidateNested } from "class-validator";
import { Field, InputType } from "type-graphql";
import { SLUG_PATTERN } from "../lib/slug";
import { IsTimeZone, NOT_BLANK, URL_OPTIONS } from "./validation";

const SLUG_MESSAGE = "must be lowercase letters, digits and single dashes";

@InputType({ description: "The featured image; the url must be http(s)." })
export class FeaturedImageInput {
  @Field()
  @IsUrl(URL_OPTIONS, { message: "url must be an http(s) URL" })
  @MaxLength(2048)
  url: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(500)
  caption?: string | null;
}

@InputType({ description: "A new article; it starts as a draft." })
export class CreateArticleInput {
  @Field()
  @Matches(NOT_BLANK, { message: "title must not be blank" })
  @MaxLength(300)
  title: string;

  @Field()
  @Matches(NOT_BLANK, { message: "lead must not be blank" })
  @MaxLength(2000)
  lead: string;

  @Field({ description: "Plain text; paragraphs separated by a blank line." })
  @Matches(NOT_BLANK, { message: "body must not be blank" })
  @MaxLength(100_000)
  body: string;

  @Field({ description: "Contributors and authors may only give their own." })
  @Matches(SLUG_PATTERN, { message: `authorSlug ${SLUG_MESSAGE}` })
  @MaxLength(120)
  authorSlug: string;

  @Field(() => [String], { description: "In display order. Unknown slugs are created for editors and refused for others." })
  @ArrayMaxSize(20)
  @Matches(SLUG_PATTERN, { each: true, message: `each tag slug ${SLUG_MESSAGE}` })
  @MaxLength(120, { each: true })
  tagSlugs: string[];

  @Field(() => String, { nullable: true, description: "Derived from the title when omitted; a taken slug gets a -2, -3 ... suffix." })
  @IsOptional()
  @Matches(SLUG_PATTERN, { message: `slug ${SLUG_MESSAGE}` })
  @MaxLength(120)
  slug?: string | null;

  @Field(() => FeaturedImageInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  featuredImage?: FeaturedImageInput | null;

  @Field(() => String, { nullable: true, description: "IANA zone of the byline; Asia/Jakarta (WIB) when omitted." })
  @IsOptional()
  @IsTimeZone()
  timeZone?: string | null;
}

@InputType({ description: "Changes to an article; omitted fields stay as they are." })
export class UpdateArticleInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(NOT_BLANK, { message: "title must not be blank" })
  @MaxLength(300)
  title?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(NOT_BLANK, { message: "lead must not be blank" })
  @MaxLength(2000)
  lead?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(NOT_BLANK, { message: "body must not be blank" })
  @MaxLength(100_000)
  body?: string | null;

  @Field(() => String, { nullable: true, description: "Editors only may move an article to another author." })
  @IsOptional()
  @Matches(SLUG_PATTERN, { message: `authorSlug ${SLUG_MESSAGE}` })
  @MaxLength(120)
  authorSlug?: string | null;

  @Field(() => [String], { nullable: true, description: "Replaces the tags, in this order." })
  @IsOptional()
  @ArrayMaxSize(20)
  @Matches(SLUG_PATTERN, { each: true, message: `each tag slug ${SLUG_MESSAGE}` })
  @MaxLength(120, { each: true })
  tagSlugs?: string[] | null;

  @Field(() => String, { nullable: true, description: "A new slug; the title changing never changes the slug (links stay valid)." })
  @IsOptional()
  @Matches(SLUG_PATTERN, { message: `slug ${SLUG_MESSAGE}` })
  @MaxLength(120)
  slug?: string | null;

  @Field(() => FeaturedImageInput, { nullable: true, description: "null removes the image." })
  @IsOptional()
  @ValidateNested()
  featuredImage?: FeaturedImageInput | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsTimeZone()
  timeZone?: string | null;

  @Field(() => Date, { nullable: true, description: "The updatedAt this edit is based on; if the article changed since, the update fails with CONFLICT." })
  @IsOptional()
  expectedUpdatedAt?: Date | null;
}

