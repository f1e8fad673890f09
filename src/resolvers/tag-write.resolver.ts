import { Arg, Ctx, ID, Mutation, Resolver } from "type-graphql";
import { Tag } from "../entities/tag.entity";
import { CreateTagInput, UpdateTagInput } from "../graphql/author-tag-input.types";
import type { GraphQLContext } from "../graphql/context";
import { parseEntityId } from "../graphql/ids";
import * as tags from "../services/tag.service";

@Resolver(() => Tag)
export class TagWriteResolver {
  @Mutation(() => Tag, { description: "EDITOR and ADMIN." })
  createTag(@Ctx() context: GraphQLContext, @Arg("input", () => CreateTagInput) input: CreateTagInput): Promise<Tag> {
    return tags.createTag(context, input);
  }

  @Mutation(() => Tag, { description: "EDITOR and ADMIN." })
  updateTag(@Ctx() context: GraphQLContext, @Arg("id", () => ID) id: string, @Arg("input", () => UpdateTagInput) input: UpdateTagInput): Promise<Tag> {
    return tags.updateTag(context, parseEntityId(id), input);
  }

  @Mutation(() => Boolean, { description: "Only a tag no article carries (deleted articles count); CONFLICT otherwise." })
  deleteTag(@Ctx() context: GraphQLContext, @Arg("id", () => ID) id: string): Promise<boolean> {
    return tags.deleteTag(context, parseEntityId(id));
  }
}
