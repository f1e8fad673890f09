import type { Article } from "../entities/article.entity";
import { forbidden, unauthenticated } from "../errors";
import { hasRole, Role, type Viewer } from "../viewer";

export type TokenViewer = Extract<Viewer, { kind: "token" }>;

/**
 * Who may write what. Services call these first thing in every write; reads never do,
 * visibility belongs to src/loaders/visibility.ts.
 */
export function requireRole(viewer: Viewer, atLeast: Role): TokenViewer {
  if (viewer.kind !== "token") throw unauthenticated();
  if (!hasRole(viewer, atLeast)) throw forbidden(`this needs the ${atLeast} role or higher; your token is ${viewer.role}`);
  return viewer;
}

export const isEditor = (viewer: Viewer) => hasRole(viewer, Role.EDITOR);

/** Contributors and authors act only for the author their token is bound to. */
export function requireOwnAuthor(viewer: TokenViewer, authorId: number): void {
  if (isEditor(viewer)) return;
  if (viewer.authorId === null || viewer.authorId !== authorId) throw forbidden("you can only write articles of your own author");
}

type ArticleState = Pick<Article, "authorId" | "status" | "deletedAt">;

/** Editing content: editors any article, authors their own, contributors their own drafts. */
export function mayEditArticle(viewer: Viewer, article: ArticleState): boolean {
  if (viewer.kind !== "token") return false;
  if (isEditor(viewer)) return true;
  if (viewer.authorId === null || viewer.authorId !== article.authorId) return false;
  if (hasRole(viewer, Role.AUTHOR)) return true;
  return article.status === "draft";
}

export function requireEditArticle(viewer: TokenViewer, article: ArticleState): void {
  if (mayEditArticle(viewer, article)) return;
  if (!isEditor(viewer) && viewer.authorId !== article.authorId) throw forbidden("you can only change articles of your own author");
  throw forbidden("contributors can only change drafts; this article has been published or scheduled");
}

/** Publishing, scheduling and unpublishing: authors their own, editors any. */
export function requirePublishArticle(viewer: TokenViewer, article: ArticleState): void {
  requireRole(viewer, Role.AUTHOR);
  requireOwnAuthor(viewer, article.authorId);
}

/**
 * Deleting and restoring: the same as editing, so a contributor can throw away a draft
 * but never take down something that was published.
 */
export const requireDeleteArticle = requireEditArticle;
