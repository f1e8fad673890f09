import { createHash, randomBytes } from "node:crypto";
import type { DataSource } from "typeorm";
import { ApiToken } from "../entities/api-token.entity";
import { Author } from "../entities/author.entity";
import type { StatementTally } from "../db/request-scope";
import { writeTransaction, type WriteTarget } from "../db/write-lock";
import { requireRole } from "./access";
import { timestampParam } from "../db/dialect";
import { queryNamed } from "../db/named-sql";
import { badInput, notFound, unauthenticated } from "../errors";
import { Role, type Viewer } from "../viewer";

export const TOKEN_PREFIX = "nrt_";
/** `nrt_` then 32 random bytes in base64url (43 characters). */
const TOKEN_FORM = /^nrt_[A-Za-z0-9_-]{43}$/;
const LISTED_PREFIX_LENGTH = 8;
/** last_used_at is a write; doing it on every request would queue behind real edits. */
const LAST_USED_RESOLUTION_MS = 60_000;

export const hashSecret = (secret: string) => createHash("sha256").update(secret, "utf8").digest("hex");

export interface CreateTokenInput {
  name: string;
  role: Role;
  authorSlug?: string | null;
  expiresInDays?: number | null;
}

export interface CreatedToken {
  token: ApiToken;
  /** Shown to the caller once; only its hash is stored. */
  secret: string;
}

/**
 * Who may manage tokens: an ADMIN token over GraphQL, or the operator at the database's own
 * console (`npm run token`), who already holds the database itself.
 */
export type TokenManager = Viewer | "console";

function requireTokenManager(by: TokenManager): void {
  if (by !== "console") requireRole(by, Role.ADMIN);
}

export async function createToken(target: WriteTarget, by: TokenManager, input: CreateTokenInput, now: Date): Promise<CreatedToken> {
  requireTokenManager(by);
  const fields: Record<string, string> = {};
  const name = input.name?.trim() ?? "";
  if (name.length < 1 || name.length > 100) fields.name = "must be 1 to 100 characters";
  if (!Object.values(Role).includes(input.role)) fields.role = `must be one of ${Object.values(Role).join(", ")}`;
  const needsAuthor = input.role === Role.CONTRIBUTOR || input.role === Role.AUTHOR;
  if (needsAuthor && !input.authorSlug) fields.authorSlug = `a ${input.role} token must be bound to an author`;
  const days = input.expiresInDays;
  if (days !== undefined && days !== null && (!Number.isInteger(days) || days < 1 || days > 3650)) fields.expiresInDays = "must be a whole number of days from 1 to 3650";
  if (Object.keys(fields).length) throw badInput(`invalid token: ${Object.keys(fields).join(", ")}`, fields);

  const secret = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const token = await writeTransaction(target, async (manager) => {
    let authorId: number | null = null;
    if (input.authorSlug) {
      const author = await manager.findOne(Author, { where: { slug: input.authorSlug } });
      if (!author) throw badInput(`no author with slug "${input.authorSlug}"`, { authorSlug: "no such author" });
      authorId = author.id;
    }
    const repo = manager.getRepository(ApiToken);
    return repo.save(
      repo.create({
        name,
        role: input.role,
        authorId,
        tokenHash: hashSecret(secret),
        tokenPrefix: secret.slice(0, LISTED_PREFIX_LENGTH),
        createdAt: now,
        expiresAt: days ? new Date(now.getTime() + days * 86_400_000) : null,
        revokedAt: null,
        lastUsedAt: null,
      }),
    );
  });
  return { token, secret };
}

export async function listTokens(dataSource: DataSource, by: TokenManager): Promise<ApiToken[]> {
  requireTokenManager(by);
  return dataSource.getRepository(ApiToken).find({ order: { id: "ASC" } });
}

/** By id, or by the listed prefix when that names exactly one token. */
export async function revokeToken(target: WriteTarget, by: TokenManager, idOrPrefix: string, now: Date): Promise<ApiToken> {
  requireTokenManager(by);
  return writeTransaction(target, async (manager) => {
    const repo = manager.getRepository(ApiToken);
    const matches = /^[0-9]+$/.test(idOrPrefix)
      ? await repo.find({ where: { id: Number(idOrPrefix) } })
      : await repo.find({ where: { tokenPrefix: idOrPrefix } });
    if (matches.length === 0) throw notFound(`token "${idOrPrefix}"`);
    if (matches.length > 1) throw badInput(`prefix "${idOrPrefix}" matches ${matches.length} tokens; revoke by id`, { token: "ambiguous prefix" });
    const [token] = matches;
    if (!token.revokedAt) {
      token.revokedAt = now;
      await repo.update({ id: token.id }, { revokedAt: now });
    }
    return token;
  });
}

/**
 * Resolves a bearer secret to the viewer it stands for. Looked up on every request and
 * never cached, so a revocation or an expiry takes effect on the very next request.
 */
export async function authenticateSecret(dataSource: DataSource, secret: string, now: Date, request?: StatementTally): Promise<Viewer> {
  if (!TOKEN_FORM.test(secret)) throw unauthenticated("the bearer token is malformed");
  // Outside a write transaction TypeORM's statements reach no request; this one is charged here.
  if (request) request.statements += 1;
  const token = await dataSource.getRepository(ApiToken).findOne({ where: { tokenHash: hashSecret(secret) } });
  if (!token) throw unauthenticated("the bearer token is not known");
  if (token.revokedAt) throw unauthenticated("the bearer token has been revoked");
  if (token.expiresAt && token.expiresAt.getTime() <= now.getTime()) throw unauthenticated("the bearer token has expired");
  if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    await writeTransaction({ writer: dataSource, request }, (manager) =>
      queryNamed(manager, `UPDATE api_tokens SET last_used_at = :now WHERE id = :id`, { now: timestampParam(dataSource, now), id: token.id }),
    );
  }
  return { kind: "token", tokenId: token.id, tokenName: token.name, role: token.role, authorId: token.authorId };
}
