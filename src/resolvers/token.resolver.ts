import { IsInt, IsOptional, Matches, Max, MaxLength, Min } from "class-validator";
import { Arg, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from "type-graphql";
import { ApiToken } from "../entities/api-token.entity";
import { Author } from "../entities/author.entity";
import type { GraphQLContext } from "../graphql/context";
import { NOT_BLANK } from "../graphql/validation";
import { SLUG_PATTERN } from "../lib/slug";
import { createToken, listTokens, revokeToken } from "../services/token.service";
import { Role } from "../viewer";

@InputType()
export class CreateApiTokenInput {
  @Field()
  @Matches(NOT_BLANK, { message: "name must not be blank" })
  @MaxLength(100)
  name: string;

  @Field(() => Role)
  role: Role;

  @Field(() => String, { nullable: true, description: "Required for CONTRIBUTOR and AUTHOR: the author the token writes as." })
  @IsOptional()
  @Matches(SLUG_PATTERN, { message: "authorSlug must be lowercase letters, digits and single dashes" })
  authorSlug?: string | null;

  @Field(() => Int, { nullable: true, description: "Never expires when omitted." })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  expiresInDays?: number | null;
}

@ObjectType({ simpleResolvers: true })
export class CreateApiTokenPayload {
  @Field(() => ApiToken)
  token: ApiToken;

  @Field({ description: "The bearer secret. Shown only here, once; store it now." })
  secret: string;
}

/** Token management is the ADMIN role's alone. */
@Resolver(() => ApiToken)
export class TokenResolver {
  @Query(() => [ApiToken], { description: "ADMIN only." })
  apiTokens(@Ctx() { viewer, writer }: GraphQLContext): Promise<ApiToken[]> {
    return listTokens(writer, viewer);
  }

  @Mutation(() => CreateApiTokenPayload, { description: "ADMIN only." })
  createApiToken(@Ctx() { viewer, writer, request, now }: GraphQLContext, @Arg("input", () => CreateApiTokenInput) input: CreateApiTokenInput): Promise<CreateApiTokenPayload> {
    return createToken({ writer, request }, viewer, input, now);
  }

  @Mutation(() => ApiToken, { description: "ADMIN only. Takes effect on the next request made with the token." })
  revokeApiToken(@Ctx() { viewer, writer, request, now }: GraphQLContext, @Arg("id", () => ID) id: string): Promise<ApiToken> {
    return revokeToken({ writer, request }, viewer, id, now);
  }

  @FieldResolver(() => Author, { nullable: true, description: "The author a CONTRIBUTOR or AUTHOR token writes as." })
  async author(@Root() token: ApiToken, @Ctx() { loaders }: GraphQLContext): Promise<Author | null> {
    return token.authorId === null ? null : loaders.authorById.load(token.authorId);
  }
}
