import type { EntityManager, EntityTarget } from "typeorm";
import { writeTransaction } from "../db/write-lock";
import { conflict, notFound } from "../errors";
import { personOrTagKeys, recordContentEvent } from "../events/content-events";
import { Role } from "../viewer";
import { requireRole } from "./access";
import { withUniqueSlug } from "../repositories/slug.repository";
import { slugFrom } from "./unique-slug";
import type { WriteContext } from "./write-context";

/**
 * Authors and tags are written alike: editors only, a slug derived from the name and kept
 * unique, a content event per change, and deletion only while nothing refers to them. The
 * two services keep what differs: their own fields and what counts as "in use".
 */
interface Named {
  id: number;
  slug: string;
  name: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface NamedKind<E extends Named> {
  kind: "author" | "tag";
  entity: EntityTarget<E>;
  table: "authors" | "tags";
  /** Slug base when the name has no usable letters. */
  fallbackSlug: string;
}

export interface NameValues {
  name?: string | null;
  slug?: string | null;
}

export async function createNamed<E extends Named>(context: WriteContext, kind: NamedKind<E>, input: NameValues & { name: string }, fields: Partial<E>): Promise<E> {
  requireRole(context.viewer, Role.EDITOR);
  return writeTransaction(context, async (manager) => {
    const saved = await withUniqueSlug(manager, kind.table, input.slug ?? slugFrom(input.name, kind.fallbackSlug), (slug, m) =>
      m.getRepository(kind.entity).save(m.getRepository(kind.entity).create({ ...fields, name: input.name.trim(), slug, createdAt: context.now, updatedAt: context.now } as E)),
    );
    recordContentEvent(manager, { type: `${kind.kind}.created`, entity: kind.kind, id: saved.id, slug: saved.slug, keys: personOrTagKeys(kind.kind, saved.id), occurredAt: context.now });
    return saved;
  });
}

/** Fields given as undefined stay; null clears a nullable field. */
export async function updateNamed<E extends Named>(context: WriteContext, kind: NamedKind<E>, id: number, input: NameValues, fields: Partial<E>): Promise<E> {
  requireRole(context.viewer, Role.EDITOR);
  return writeTransaction(context, async (manager) => {
    const found = await manager.findOne(kind.entity, { where: { id } as never });
    if (!found) throw notFound(`${kind.kind} ${id}`);
    if (input.name != null) found.name = input.name.trim();
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) (found as Record<string, unknown>)[key] = value;
    found.updatedAt = context.now;
    const newSlug = input.slug != null && input.slug !== found.slug ? input.slug : null;
    const saved = newSlug
      ? await withUniqueSlug(manager, kind.table, newSlug, (slug, m) => m.save(kind.entity, Object.assign(found, { slug })), id)
      : await manager.save(kind.entity, found);
    recordContentEvent(manager, { type: `${kind.kind}.updated`, entity: kind.kind, id, slug: saved.slug, keys: personOrTagKeys(kind.kind, id), occurredAt: context.now });
    return saved;
  });
}

/** `inUse` names what still refers to the entity (a CONFLICT), or null when it may go. */
export async function deleteNamed<E extends Named>(context: WriteContext, kind: NamedKind<E>, id: number, inUse: (manager: EntityManager, found: E) => Promise<string | null>): Promise<boolean> {
  requireRole(context.viewer, Role.EDITOR);
  return writeTransaction(context, async (manager) => {
    const found = await manager.findOne(kind.entity, { where: { id } as never });
    if (!found) throw notFound(`${kind.kind} ${id}`);
    const reason = await inUse(manager, found);
    if (reason) throw conflict(reason);
    await manager.delete(kind.entity, { id });
    recordContentEvent(manager, { type: `${kind.kind}.deleted`, entity: kind.kind, id, slug: found.slug, keys: personOrTagKeys(kind.kind, id), occurredAt: context.now });
    return true;
  });
}
