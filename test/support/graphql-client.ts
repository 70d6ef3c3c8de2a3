/** A plain HTTP GraphQL client, as any web or mobile client would call the gateway. */
export interface GraphQLResult<Data = Record<string, any>> {
  status: number;
  headers: Headers;
  data: Data | null | undefined;
  errors: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[] | undefined;
}

export async function graphql<Data = Record<string, any>>(
  url: string,
  query: string,
  options: { variables?: Record<string, unknown>; token?: string; headers?: Record<string, string> } = {},
): Promise<GraphQLResult<Data>> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables: options.variables }),
  });
  const body = (await response.json()) as { data?: Data | null; errors?: GraphQLResult["errors"] };
  return { status: response.status, headers: response.headers, data: body.data, errors: body.errors };
}

export const errorCodes = (result: GraphQLResult) => (result.errors ?? []).map((error) => error.extensions?.code);
