/**
 * A page of a list as the loaders return it; the GraphQL connection types are built from this.
 * totalCount is a thunk so the COUNT statement runs only when a client selects it.
 */
export interface Page<T> {
  items: T[];
  cursors: string[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  totalCount: () => Promise<number>;
}
