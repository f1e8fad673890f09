import { Tag } from "../entities/tag.entity";
import { CreateTagInput, UpdateTagInput } from "../graphql/author-tag-input.types";
import { TagConnection } from "../graphql/author-tag.types";
import { TagOrder } from "../loaders/author-tag.loader";
import * as tags from "../services/tag.service";
import { namedEntityResolver } from "./named-entity.resolver";

export const TagResolver = namedEntityResolver({
  one: "tag",
  many: "tags",
  typeName: "Tag",
  entity: Tag,
  connection: TagConnection,
  order: TagOrder,
  defaultOrder: TagOrder.NAME_ASC,
  createInput: CreateTagInput,
  updateInput: UpdateTagInput,
  loaders: (l) => ({ byId: l.tagById, bySlug: l.tagBySlug, list: l.listTags, articles: l.articlesByTag, articleCount: l.articleCountByTag, bySlugWithPage: l.tagBySlugWithPage }),
  service: { create: tags.createTag, update: tags.updateTag, remove: tags.deleteTag },
  descriptions: {
    articles: "Articles carrying this tag that you may see, newest first.",
    remove: "Only a tag no article carries (deleted articles count); CONFLICT otherwise.",
  },
});
