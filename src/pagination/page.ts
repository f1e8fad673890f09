/**
 * A page of a list as the loaders return it; the GraphQL connection types are built from this.
 * totalCount is a thunk so the COUNT statement runs only when a client selects it.
 */
export interface Page<T> {
  items: T[];
  /** The cursor of `items[index]`, made when asked: most pages are read without one. */
  cursorAt: (index: number) => string;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  totalCount: () => Promise<number>;
}
