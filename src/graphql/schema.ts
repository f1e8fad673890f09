import type { GraphQLSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { ArticleResolver } from "../resolvers/article.resolver";
import { ArticleRevisionResolver, ArticleWriteResolver } from "../resolvers/article-write.resolver";
import { TokenResolver } from "../resolvers/token.resolver";
import { AuthorResolver } from "../resolvers/author.resolver";
import { SearchResolver } from "../resolvers/search.resolver";
import { TagResolver } from "../resolvers/tag.resolver";
import { WebhookResolver } from "../resolvers/webhook.resolver";
import { DateTimeScalar } from "./date-time.scalar";
import { refuseUnstorableTextInMutations } from "./validation";
import { dispatchResolversDirectly } from "./direct-dispatch";

export const resolvers = [
  ArticleResolver,
  AuthorResolver,
  TagResolver,
  SearchResolver,
  ArticleWriteResolver,
  ArticleRevisionResolver,
  TokenResolver,
  WebhookResolver,
] as const;

export async function buildAppSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validate: { forbidUnknownValues: false },
  });
  return refuseUnstorableTextInMutations(dispatchResolversDirectly(schema, resolvers));
}
