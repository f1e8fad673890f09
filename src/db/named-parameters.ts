/**
 * The loaders write SQL with TypeORM's `:name` / `:...list` parameters; the read pools turn it
 * into the driver's placeholders themselves, once per statement shape, instead of through
 * TypeORM's driver on every call (a regular-expression pass over the whole text per statement).
 */

/** Where each placeholder's value comes from: a parameter's name, and an index into it for a spread list (-1: the value itself). */
export type ValuePath = [string, number];

export interface CompiledSql {
  text: string;
  paths: ValuePath[];
}

/**
 * `numbered`: PostgreSQL's `$n`, one number per name however often it appears.
 * `anonymous`: SQLite's `?`, one per appearance, bound in order; a number is written into the
 * text, as TypeORM's SQLite driver writes it: SQLite plans `LIMIT 21` knowing the limit, and
 * walks the date index for a page, where with `LIMIT ?` it planned the page at twice the cost.
 */
export type PlaceholderStyle = "numbered" | "anonymous";

/**
 * The text in the driver's form, as TypeORM writes it: a list becomes one placeholder per item,
 * so `IN (:...ids)` with one id is plain equality, which the planner turns into an ordered
 * index scan (on PostgreSQL, `= ANY($1)` with an array lost that, and cost the database four
 * times the CPU on tag pages). A `:name` that is not among the parameters is left alone, as
 * TypeORM leaves it (`::text` casts).
 */
export function compileNamedParameters(sql: string, params: Record<string, unknown>, style: PlaceholderStyle = "numbered"): CompiledSql {
  const paths: ValuePath[] = [];
  const position = new Map<string, number>();
  const placeholder = () => (style === "numbered" ? `$${paths.length}` : "?");
  const text = sql.replace(/(?<!:):(\.\.\.)?([A-Za-z0-9_]+)/g, (whole, spread: string | undefined, name: string) => {
    if (!Object.prototype.hasOwnProperty.call(params, name)) return whole;
    const value = params[name];
    if (spread && Array.isArray(value)) {
      return value
        .map((_, i) => {
          paths.push([name, i]);
          return placeholder();
        })
        .join(", ");
    }
    if (style === "anonymous") {
      if (typeof value === "number") return String(value);
      paths.push([name, -1]);
      return "?";
    }
    let n = position.get(name);
    if (n === undefined) {
      paths.push([name, -1]);
      n = paths.length;
      position.set(name, n);
    }
    return `$${n}`;
  });
  return { text, paths };
}

/** The values for a compiled statement's placeholders, in order, each passed through `convert` when given. */
export function valuesOf(paths: readonly ValuePath[], params: Record<string, unknown>, convert?: (value: unknown) => unknown): unknown[] {
  const values = new Array<unknown>(paths.length);
  for (let i = 0; i < paths.length; i++) {
    const [key, index] = paths[i];
    const value = index < 0 ? params[key] : (params[key] as unknown[])[index];
    values[i] = convert ? convert(value) : value;
  }
  return values;
}

/**
 * Compiled statements by text and parameter shape (which names exist, each list's length, and
 * with `numbersInText` the numbers, which are part of the text). The loaders build their SQL
 * from a bounded set of shapes; `max` is a guard, past which a new shape is compiled on every call.
 */
export class CompiledSqlCache<T extends CompiledSql> {
  private readonly compiled = new Map<string, T>();

  constructor(
    private readonly max: number,
    private readonly compile: (sql: string, params: Record<string, unknown>) => T,
    private readonly numbersInText = false,
  ) {}

  get(sql: string, params: Record<string, unknown>): T {
    let key = sql;
    for (const name in params) {
      const value = params[name];
      key += Array.isArray(value) ? `\u0000${name}[${value.length}]` : this.numbersInText && typeof value === "number" ? `\u0000${name}=${value}` : `\u0000${name}`;
    }
    let statement = this.compiled.get(key);
    if (!statement) {
      statement = this.compile(sql, params);
      if (this.compiled.size < this.max) this.compiled.set(key, statement);
    }
    return statement;
  }
}
