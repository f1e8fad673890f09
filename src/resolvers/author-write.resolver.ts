import { Arg, Ctx, ID, Mutation, Resolver } from "type-graphql";
import { Author } from "../entities/author.entity";
import { CreateAuthorInput, UpdateAuthorInput } from "../graphql/author-tag-input.types";
import type { GraphQLContext } from "../graphql/context";
import { parseEntityId } from "../graphql/ids";
import * as authors from "../services/author.service";

@Resolver(() => Author)
export class AuthorWriteResolver {
  @Mutation(() => Author, { description: "EDITOR and ADMIN." })
  createAuthor(@Ctx() context: GraphQLContext, @Arg("input", () => CreateAuthorInput) input: CreateAuthorInput): Promise<Author> {
    return authors.createAuthor(context, input);
  }

  @Mutation(() => Author, { description: "EDITOR and ADMIN." })
  updateAuthor(@Ctx() context: GraphQLContext, @Arg("id", () => ID) id: string, @Arg("input", () => UpdateAuthorInput) input: UpdateAuthorInput): Promise<Author> {
    return authors.updateAuthor(context, parseEntityId(id), input);
  }

  @Mutation(() => Boolean, { description: "Only an author without articles (deleted ones count) or tokens; CONFLICT otherwise." })
  deleteAuthor(@Ctx() context: GraphQLContext, @Arg("id", () => ID) id: string): Promise<boolean> {
    return authors.deleteAuthor(context, parseEntityId(id));
  }
}
