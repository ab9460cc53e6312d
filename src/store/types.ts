import type { Provider, Repository, RepositoryKind } from '../contract/types.ts';

export interface User {
  id: number;
  github_id: number | null;
  login: string;
  name: string | null;
  avatar_url: string | null;
  created_at: string;
}

export interface Session {
  id: string;
  user_id: number;
  scopes: string[];
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

export interface Installation {
  id: number;
  user_id: number;
  provider: Provider;
  repo_id: number;
  repo_full_name: string;
  is_active: boolean;
  created_at: string;
  updated_at: string;
}

export interface HostTokenMeta {
  provider: Provider;
  login: string | null;
  scopes: string[];
  created_at: string;
  updated_at: string;
}

/** A stored host token: decrypted, or marked undecryptable when `SECRET_KEY` changed. */
export type HostToken =
  | (HostTokenMeta & { status: 'ok'; token: string })
  | (HostTokenMeta & { status: 'undecryptable' });

/** The AI app builder that made a repository. */
export type Origin = NonNullable<Repository['origin']>;

/** What one analysis of a repository's files found: its kind, and the app builder that made it. */
export interface Detection {
  kind: RepositoryKind;
  reason: string;
  /** Null when nothing points to a builder, or when detection failed (`origin_reason` then says so). */
  origin: Origin | null;
  /** The evidence for `origin`; null when the files were read and point to no builder. */
  origin_reason: string | null;
}

export interface DetectionKey {
  provider: Provider;
  repo_id: number;
  /** The repository's `pushed_at` (or `updated_at` where the host has no push time). */
  pushed_at: string;
}

/**
 * Everything the service keeps. One implementation serves both the embedded database (PGlite)
 * and PostgreSQL: the SQL is the same.
 */
export interface Store {
  users: {
    upsertGitHub(input: { github_id: number; login: string; name: string | null; avatar_url: string | null }): Promise<User>;
    /** Creates a local user with no GitHub account behind it (dev token command). */
    upsertLocal(login: string): Promise<User>;
    get(id: number): Promise<User | undefined>;
  };
  tokens: {
    /** Encrypts and stores (replaces) the user's token for that host. */
    put(userId: number, provider: Provider, input: { token: string; login: string | null; scopes: string[] }): Promise<void>;
    get(userId: number, provider: Provider): Promise<HostToken | undefined>;
    list(userId: number): Promise<HostToken[]>;
    delete(userId: number, provider: Provider): Promise<boolean>;
  };
  sessions: {
    /** Returns the session and the opaque secret that the cookie carries (only its hash is stored). */
    create(userId: number, scopes: string[], ttlSeconds: number): Promise<{ session: Session; secret: string }>;
    /** An active (not revoked, not expired) session by id. */
    get(id: string): Promise<Session | undefined>;
    /** An active session by the cookie's secret. */
    getBySecret(secret: string): Promise<Session | undefined>;
    revoke(id: string): Promise<void>;
  };
  installations: {
    /** Creates or reactivates; `created` is false when it was already active. */
    connect(userId: number, provider: Provider, repoId: number, fullName: string): Promise<{ installation: Installation; created: boolean }>;
    /** Deactivates; false when there was no active installation. */
    disconnect(userId: number, provider: Provider, repoId: number): Promise<boolean>;
    listActive(userId: number, provider?: Provider): Promise<Installation[]>;
  };
  detections: {
    /** Cached detections for these keys, in one query; a changed `pushed_at` is a miss. */
    getMany(keys: DetectionKey[]): Promise<Map<string, Detection>>;
    putMany(entries: Array<DetectionKey & Detection>): Promise<void>;
  };
  /** Cheap round trip for readiness. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const detectionKey = (k: Pick<DetectionKey, 'provider' | 'repo_id'>): string => `${k.provider}:${k.repo_id}`;
