/** Who is asking. Anonymous readers are the public; tokens carry a newsroom role. */
export enum Role {
  CONTRIBUTOR = "CONTRIBUTOR",
  AUTHOR = "AUTHOR",
  EDITOR = "EDITOR",
  ADMIN = "ADMIN",
}

export type Viewer =
  | { kind: "anonymous" }
  | { kind: "token"; tokenId: number; tokenName: string; role: Role; authorId: number | null };

export const anonymous: Viewer = { kind: "anonymous" };

const rank: Record<Role, number> = { CONTRIBUTOR: 1, AUTHOR: 2, EDITOR: 3, ADMIN: 4 };

export function hasRole(viewer: Viewer, atLeast: Role): boolean {
  return viewer.kind === "token" && rank[viewer.role] >= rank[atLeast];
}

/** A stable key for anything cached per visibility class (loaders, response cache). */
export function visibilityKey(viewer: Viewer): string {
  if (viewer.kind === "anonymous") return "public";
  if (hasRole(viewer, Role.EDITOR)) return "editor";
  return `own:${viewer.authorId ?? "none"}`;
}
