import { isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from "graphql";
import { getMetadataStorage } from "type-graphql";

type ResolverMetadata = ReturnType<typeof getMetadataStorage>["queries"][number];
type ParamMetadata = NonNullable<ResolverMetadata["params"]>[number];
type Args = Record<string, unknown>;
type Resolver = GraphQLFieldResolver<unknown, unknown, Args>;
type Getter = (root: unknown, args: Args, context: unknown, info: unknown) => unknown;
type ResolverInstance = Record<string, (...params: unknown[]) => unknown>;

/**
 * Calls query and field resolver methods directly where type-graphql's dispatch would do work
 * that changes nothing for them. For every call, type-graphql sorts the method's parameter list,
 * maps it to a new array, and passes each argument through an `async` validation, so even
 * `excerpt(length: 160)` returns a promise, and the call waits on a `Promise.all`. A 20-card
 * page makes sixty such calls: on the PostgreSQL tag page they were 107 of the 365 kB the
 * server allocated per request.
 *
 * A direct call gives the method exactly the values type-graphql would give it:
 * - the root when it is already an instance of the declared type (loaders build entities), as
 *   type-graphql passes such a root unchanged;
 * - the context, or one of its properties;
 * - the resolve info;
 * - an argument that is null or a scalar: type-graphql validates and converts only objects,
 *   and returns anything else as it was.
 *
 * A call with an object argument (an input type, a list) or a root of another type goes to
 * type-graphql's resolver, as does any resolver with middlewares, `@Authorized` roles, `@Args`
 * classes or custom parameters. Mutations always go to type-graphql's resolver: they are rare,
 * and their inputs are validated there.
 *
 * `resolvers` are the classes given to buildSchema, and buildSchema must have been given no
 * global middlewares and no auth checker.
 */
export function dispatchResolversDirectly(schema: GraphQLSchema, resolvers: readonly object[]): GraphQLSchema {
  const storage = getMetadataStorage();
  const typeNames = new Map<unknown, string>(storage.objectTypes.map((type) => [type.target, type.name]));
  // One instance per class, as type-graphql's default container keeps; our resolver classes hold no state.
  const instances = new Map<object, ResolverInstance>();
  const instanceOf = (target: object) => {
    let instance = instances.get(target);
    if (!instance) {
      instance = new (target as new () => ResolverInstance)();
      instances.set(target, instance);
    }
    return instance;
  };
  const ownedBy = (target: object) => resolvers.includes(target);

  const targets: Array<{ typeName: string | undefined; meta: Pick<ResolverMetadata, "target" | "methodName" | "schemaName" | "params" | "middlewares" | "roles"> }> = [
    ...storage.queries.filter((meta) => ownedBy(meta.target)).map((meta) => ({ typeName: schema.getQueryType()?.name, meta })),
    ...storage.fieldResolvers
      .filter((meta) => meta.kind === "external" && ownedBy(meta.target) && meta.getObjectType)
      .map((meta) => ({ typeName: typeNames.get(meta.getObjectType?.()), meta })),
  ];
  for (const { typeName, meta } of targets) {
    const type = typeName ? schema.getType(typeName) : undefined;
    const field = isObjectType(type) ? type.getFields()[meta.schemaName] : undefined;
    if (!field?.resolve || !meta.params || (meta.middlewares?.length ?? 0) > 0 || meta.roles !== undefined) continue;
    const direct = directResolver(instanceOf(meta.target), meta.methodName, meta.params, field.resolve);
    if (direct) field.resolve = direct;
  }
  return schema;
}

function directResolver(instance: ResolverInstance, methodName: string, params: ParamMetadata[], viaTypeGraphql: Resolver): Resolver | null {
  const ordered = [...params].sort((a, b) => a.index - b.index);
  if (ordered.some((param, position) => param.index !== position)) return null;
  const argNames: string[] = [];
  let rootType: (() => unknown) | undefined;
  const getters: Getter[] = [];
  for (const param of ordered) {
    switch (param.kind) {
      case "root": {
        const { propertyName, getType } = param;
        rootType ??= getType;
        getters.push(propertyName ? (root) => (root as Record<string, unknown>)[propertyName] : (root) => root);
        break;
      }
      case "context": {
        const { propertyName } = param;
        getters.push(propertyName ? (_root, _args, context) => (context as Record<string, unknown>)[propertyName] : (_root, _args, context) => context);
        break;
      }
      case "info":
        getters.push((_root, _args, _context, info) => info);
        break;
      case "arg": {
        const { name } = param;
        argNames.push(name);
        getters.push((_root, args) => args[name]);
        break;
      }
      default:
        return null;
    }
  }
  const method = instance[methodName];
  let rootClass: (abstract new (...params: never[]) => unknown) | null | undefined;
  return (root, args, context, info) => {
    for (const name of argNames) {
      const value = args[name];
      if (value !== null && typeof value === "object") return viaTypeGraphql(root, args, context, info);
    }
    if (rootType && root != null) {
      // The declared type is a thunk (it may name a class declared later); resolved once.
      if (rootClass === undefined) {
        const declared = rootType();
        rootClass = typeof declared === "function" ? (declared as abstract new (...params: never[]) => unknown) : null;
      }
      if (rootClass && !(root instanceof rootClass)) return viaTypeGraphql(root, args, context, info);
    }
    switch (getters.length) {
      case 0:
        return method.call(instance);
      case 1:
        return method.call(instance, getters[0](root, args, context, info));
      case 2:
        return method.call(instance, getters[0](root, args, context, info), getters[1](root, args, context, info));
      case 3:
        return method.call(instance, getters[0](root, args, context, info), getters[1](root, args, context, info), getters[2](root, args, context, info));
      default:
        return method.apply(
          instance,
          getters.map((get) => get(root, args, context, info)),
        );
    }
  };
}
