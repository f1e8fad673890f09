import type { DataSource } from "typeorm";
import { Article } from "../../src/entities/article.entity";
import { ArticleRelated } from "../../src/entities/article-related.entity";
import { ArticleTag } from "../../src/entities/article-tag.entity";
import { Author } from "../../src/entities/author.entity";
import { Tag } from "../../src/entities/tag.entity";
import { countWords } from "../../src/lib/text";

/**
 * Test data factories: each writes real rows through TypeORM and returns them, with
 * defaults that make every row unique so tests only spell out what they assert on.
 */
let sequence = 0;
const next = () => ++sequence;

export async function makeAuthor(ds: DataSource, fields: Partial<Author> = {}): Promise<Author> {
  const n = next();
  return ds.getRepository(Author).save(ds.getRepository(Author).create({ slug: `author-${n}`, name: `Author ${n}`, bio: null, avatarUrl: null, ...fields }));
}

export async function makeTag(ds: DataSource, fields: Partial<Tag> = {}): Promise<Tag> {
  const n = next();
  return ds.getRepository(Tag).save(ds.getRepository(Tag).create({ slug: `tag-${n}`, name: `Tag ${n}`, description: null, ...fields }));
}

export interface ArticleFields extends Partial<Omit<Article, "author" | "tags">> {
  author?: Author;
  tags?: Tag[];
  related?: Article[];
}

export async function makeArticle(ds: DataSource, fields: ArticleFields = {}): Promise<Article> {
  const n = next();
  const { author: givenAuthor, tags = [], related = [], ...columns } = fields;
  const author = givenAuthor ?? (await makeAuthor(ds));
  const body = columns.body ?? `Paragraf pertama artikel ${n}.\n\nParagraf kedua artikel ${n}.`;
  const repo = ds.getRepository(Article);
  const article = await repo.save(
    repo.create({
      slug: `article-${n}`,
      title: `Article ${n}`,
      lead: `Lead of article ${n}.`,
      status: "published",
      publishedAt: new Date(Date.UTC(2023, 0, 1) + n * 60_000),
      timeZone: "Asia/Jakarta",
      featuredImageUrl: null,
      featuredImageCaption: null,
      ...columns,
      body,
      wordCount: countWords(body),
      authorId: author.id,
    }),
  );
  if (tags.length) await ds.getRepository(ArticleTag).insert(tags.map((tag, position) => ({ articleId: article.id, tagId: tag.id, position })));
  if (related.length) await ds.getRepository(ArticleRelated).insert(related.map((r, position) => ({ articleId: article.id, relatedId: r.id, position })));
  return article;
}
