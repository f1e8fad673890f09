import type { DataSource, EntityManager } from "typeorm";
import { queryNamed } from "../db/named-sql";
import { ALL_KEYS, ARTICLE_LISTS_KEY, articleChangeKeys, entityKey, kindKey, type ContentEvent } from "./content-events";

type Runner = DataSource | EntityManager;

/**
 * Articles that pick any of `ids` as an editor's related article. A pick that is not visible
 * (draft, scheduled, deleted) is left out of its source's related answer without leaving a
 * trace there, so when it becomes visible the change must name the source (`article:<src>`).
 */
export async function pickersOf(runner: Runner, ids: readonly number[]): Promise<Map<number, number[]>> {
  const byPick = new Map<number, number[]>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await queryNamed<{ article_id: number; related_id: number }>(
      runner,
      `SELECT article_id, related_id FROM article_related WHERE related_id IN (:...pickIds)`,
      { pickIds: ids.slice(i, i + 500) },
    );
    for (const row of rows) {
      const pick = Number(row.related_id);
      byPick.set(pick, [...(byPick.get(pick) ?? []), Number(row.article_id)]);
    }
  }
  return byPick;
}

/**
 * Completes what writers said with what follows from it, once, at the write door before the
 * commit (so before-commit hooks, commit listeners and other instances all see the same keys):
 * every entity change also carries its kind key, and an article entering or leaving the lists
 * also names the articles that pick it.
 */
export async function completeEventKeys(manager: EntityManager, events: readonly ContentEvent[]): Promise<void> {
  const listed: ContentEvent[] = [];
  for (const event of events) {
    if (event.keys.includes(ALL_KEYS)) continue;
    if (event.entity !== "content" && !event.keys.includes(kindKey(event.entity))) event.keys.push(kindKey(event.entity));
    if (event.entity === "article" && event.keys.includes(ARTICLE_LISTS_KEY)) listed.push(event);
  }
  if (listed.length === 0) return;
  const pickers = await pickersOf(manager, [...new Set(listed.map((e) => e.id))]);
  for (const event of listed) {
    for (const source of pickers.get(event.id) ?? []) {
      const key = entityKey("article", source);
      if (!event.keys.includes(key)) event.keys.push(key);
    }
  }
}

/** An article whose scheduled instant has come: the keys of everything it now appears in. */
export interface WentLive {
  id: number;
  authorId: number;
  tagIds: number[];
}

/**
 * Keys made stale by articles going live at their scheduled instant: no write happens then,
 * so every instance works them out from the database at that instant.
 */
export async function goLiveKeys(runner: Runner, articles: readonly WentLive[]): Promise<string[]> {
  const keys = new Set<string>([kindKey("article")]);
  for (const a of articles) {
    for (const key of articleChangeKeys(null, { id: a.id, authorId: a.authorId, tagIds: a.tagIds, status: "published", publishedAt: null, deletedAt: null }, { text: false })) {
      keys.add(key);
    }
  }
  const pickers = await pickersOf(runner, articles.map((a) => a.id));
  for (const sources of pickers.values()) for (const source of sources) keys.add(entityKey("article", source));
  return [...keys];
}
