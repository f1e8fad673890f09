import type { GraphQLSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { ArticleResolver } from "../resolvers/article.resolver";
import { AuthorResolver } from "../resolvers/author.resolver";
import { TagResolver } from "../resolvers/tag.resolver";
import { DateTimeScalar } from "./date-time.scalar";

export const resolvers = [ArticleResolver, AuthorResolver, TagResolver] as const;

export function buildAppSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validate: { forbidUnknownValues: false },
  });
}
