import { registerEnumType } from "type-graphql";
import { Author } from "../entities/author.entity";
import { Tag } from "../entities/tag.entity";
import { AuthorOrder, TagOrder } from "../loaders/author-tag.loader";
import { connectionTypes } from "./connection";

registerEnumType(AuthorOrder, { name: "AuthorOrder" });
registerEnumType(TagOrder, { name: "TagOrder" });

export const { Connection: AuthorConnection } = connectionTypes("Author", Author);
export type AuthorConnection = InstanceType<typeof AuthorConnection>;
export const { Connection: TagConnection } = connectionTypes("Tag", Tag);
export type TagConnection = InstanceType<typeof TagConnection>;
