import { Field, Int, ObjectType, type ClassType } from "type-graphql";
import type { Page } from "../pagination/page";

@ObjectType({ simpleResolvers: true, description: "Relay cursor page information." })
export class PageInfo {
  @Field()
  hasNextPage: boolean;

  @Field({ description: "True when the page was requested with `after` (rows exist before it)." })
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true })
  startCursor: string | null;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

export interface ConnectionShape<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: PageInfo;
  totalCount: Promise<number>;
}

/** Relay connection types for a node type, plus `totalCount` and `nodes` for convenience. */
export function connectionTypes<T extends object>(name: string, NodeType: ClassType<T>) {
  @ObjectType(`${name}Edge`, { simpleResolvers: true })
  class Edge {
    @Field({ description: "Opaque; pass it as `after` to continue after this node." })
    cursor: string;

    @Field(() => NodeType)
    node: T;
  }

  @ObjectType(`${name}Connection`, { simpleResolvers: true })
  class Connection implements ConnectionShape<T> {
    constructor(private readonly page: Page<T>) {}

    @Field(() => [Edge])
    get edges(): Edge[] {
      return this.page.items.map((node, i) => ({ cursor: this.page.cursorAt(i), node }));
    }

    @Field(() => [NodeType])
    get nodes(): T[] {
      return this.page.items;
    }

    @Field(() => PageInfo)
    get pageInfo(): PageInfo {
      const { items, cursorAt } = this.page;
      return {
        hasNextPage: this.page.hasNextPage,
        hasPreviousPage: this.page.hasPreviousPage,
        startCursor: items.length ? cursorAt(0) : null,
        endCursor: items.length ? cursorAt(items.length - 1) : null,
      };
    }

    @Field(() => Int, { description: "All items of the list the viewer may see, across pages. Costs one COUNT." })
    get totalCount(): Promise<number> {
      return this.page.totalCount();
    }
  }

  return { Edge, Connection };
}
