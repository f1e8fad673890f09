import { ArticleTag } from "../entities/article-tag.entity";
import { Tag } from "../entities/tag.entity";
import { writeTransaction } from "../db/write-lock";
import { conflict, notFound } from "../errors";
import { Role } from "../viewer";
import { requireRole } from "./access";
import { personOrTagKeys, recordContentEvent } from "../events/content-events";
import { slugFrom } from "./unique-slug";
import { withUniqueSlug } from "../repositories/slug.repository";
import type { WriteContext } from "./write-context";

export interface TagValues {
  name?: string | null;
  slug?: string | null;
  description?: string | null;
}

export async function createTag(context: WriteContext, input: TagValues & { name: string }): Promise<Tag> {
  requireRole(context.viewer, Role.EDITOR);
  return writeTransaction(context.dataSource, async (manager) => {
    const saved = await withUniqueSlug(manager, "tags", input.slug ?? slugFrom(input.name, "topik"), (slug, m) =>
      m.getRepository(Tag).save(
        m.getRepository(Tag).create({ name: input.name.trim(), slug, description: input.description ?? null, createdAt: context.now, updatedAt: context.now }),
      ),
    );
    recordContentEvent({ type: "tag.created", entity: "tag", id: saved.id, slug: saved.slug, keys: personOrTagKeys("tag", saved.id), occurredAt: context.now });
    return saved;
  });
}

export async function updateTag(context: WriteContext, id: number, input: TagValues): Promise<Tag> {
  requireRole(context.viewer, Role.EDITOR);
  return writeTransaction(context.dataSource, async (manager) => {
    const tag = await manager.findOne(Tag, { where: { id } });
    if (!tag) throw notFound(`tag ${id}`);
    if (input.name != null) tag.name = input.name.trim();
    if (input.description !== undefined) tag.description = input.description;
    tag.updatedAt = context.now;
    const newSlug = input.slug != null && input.slug !== tag.slug ? input.slug : null;
    const saved = newSlug
      ? await withUniqueSlug(manager, "tags", newSlug, (slug, m) => m.save(Object.assign(tag, { slug })), id)
      : await manager.save(tag);
    recordContentEvent({ type: "tag.updated", entity: "tag", id, slug: saved.slug, keys: personOrTagKeys("tag", id), occurredAt: context.now });
    return saved;
  });
}

/** Only a tag no article carries (deleted articles included: restoring one brings its tags back). */
export async function deleteTag(context: WriteContext, id: number): Promise<boolean> {
  requireRole(context.viewer, Role.EDITOR);
  return writeTransaction(context.dataSource, async (manager) => {
    const tag = await manager.findOne(Tag, { where: { id } });
    if (!tag) throw notFound(`tag ${id}`);
    const uses = await manager.count(ArticleTag, { where: { tagId: id } });
    if (uses > 0) throw conflict(`tag "${tag.slug}" is on ${uses} article(s); remove it from them first`);
    await manager.delete(Tag, { id });
    recordContentEvent({ type: "tag.deleted", entity: "tag", id, slug: tag.slug, keys: personOrTagKeys("tag", id), occurredAt: context.now });
    return true;
  });
}
