import { ArticleTag } from "../entities/article-tag.entity";
import { Tag } from "../entities/tag.entity";
import { createNamed, deleteNamed, updateNamed, type NameValues, type NamedKind } from "./named-entity.service";
import type { WriteContext } from "./write-context";

export interface TagValues extends NameValues {
  description?: string | null;
}

const TAG: NamedKind<Tag> = { kind: "tag", entity: Tag, table: "tags", fallbackSlug: "topik" };

export function createTag(context: WriteContext, input: TagValues & { name: string }): Promise<Tag> {
  return createNamed(context, TAG, input, { description: input.description ?? null });
}

export function updateTag(context: WriteContext, id: number, input: TagValues): Promise<Tag> {
  return updateNamed(context, TAG, id, input, { description: input.description });
}

/** Only a tag no article carries (deleted articles included: restoring one brings its tags back). */
export function deleteTag(context: WriteContext, id: number): Promise<boolean> {
  return deleteNamed(context, TAG, id, async (manager, tag) => {
    const uses = await manager.count(ArticleTag, { where: { tagId: id } });
    return uses > 0 ? `tag "${tag.slug}" is on ${uses} article(s); remove it from them first` : null;
  });
}
