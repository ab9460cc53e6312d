/**
 * The contract's vocabulary, every name derived from the types generated from the spec: the layers
 * below HTTP speak it, and nothing here is typed by hand a second time.
 */
import type { components, operations } from '../api/schema.d.ts';

export type Schemas = components['schemas'];
export type Repository = Schemas['Repository'];
export type RepositoryList = Schemas['RepositoryList'];
export type Problem = Schemas['Problem'];
/** A git host's failure inside a listing: a `Problem` whose code a host's failure can have. */
export type HostProblem = Schemas['HostProblem'];
export type ProblemCode = Schemas['ProblemCode'];
export type Provider = Schemas['Provider'];
export type RepositoryKind = Schemas['RepositoryKind'];
export type ValidationIssue = Schemas['ValidationIssue'];

/** The query parameters of an operation, as the spec declares them. */
export type QueryOf<K extends keyof operations> = operations[K]['parameters'] extends { query?: infer Q }
  ? NonNullable<Q>
  : never;

/** The JSON body an operation answers with for a status. */
export type JsonResponse<K extends keyof operations, S extends keyof operations[K]['responses']> =
  operations[K]['responses'][S] extends { content: { 'application/json': infer B } } ? B : never;

/** The JSON request body of an operation. */
export type JsonRequest<K extends keyof operations> = operations[K] extends {
  requestBody: { content: { 'application/json': infer B } };
}
  ? B
  : never;
