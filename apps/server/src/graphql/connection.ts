import { Field, ObjectType } from 'type-graphql';

@ObjectType('PageInfo', { description: 'Relay-style pagination state.' })
export class PageInfo {
  @Field(() => Boolean, { description: 'More items follow this page.' })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the last item; pass as `after` for the next page.' })
  endCursor!: string | null;
}

/** Builds edges/nodes/pageInfo/totalCount from a page of nodes. */
export function connectionOf<N, T>(page: { nodes: N[]; cursorOf: (n: N) => string; hasNextPage: boolean; totalCount: number }, present: (n: N) => T) {
  const edges = page.nodes.map((n) => ({ node: present(n), cursor: page.cursorOf(n) }));
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: Object.assign(new PageInfo(), { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null }),
    totalCount: page.totalCount,
  };
}
