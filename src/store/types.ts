import type { Provider, Repository, RepositoryKind } from '../contract/types.ts';

export interface User {
  id: number;
  login: string;
  name: string | null;
  avatar_url: string | null;
  created_at: string;
}

/** A host account as sign-in and linking store it. */
export interface HostProfile {
  /** The host's stable id of the account (see `HostAccount.id`). */
  id: string;
  login: string;
  name: string | null;
  avatar_url: string | null;
}

export interface HostTokenInput {
  token: string;
  login: string | null;
  scopes: string[];
  refreshToken?: string | null | undefined;
  expiresAt?: Date | null | undefined;
  instance?: string | null | undefined;
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
  /** When the access token stops working; null when it does not expire. */
  expires_at: string | null;
  /** The host's instance the token is for, where a host has several (self-managed ones); null for its only one. */
  instance: string | null;
  created_at: string;
  updated_at: string;
}

/** A stored host token: decrypted, or marked undecryptable when `SECRET_KEY` changed. */
export type HostToken =
  | (HostTokenMeta & { status: 'ok'; token: string; refresh_token: string | null })
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
    /** Creates a local user with no host account behind it (dev token command), or finds it again by login. */
    upsertLocal(login: string): Promise<User>;
    get(id: number): Promise<User | undefined>;
  };
  /**
   * Host accounts, keyed by (provider, the host's user id): how a person is found again whichever host
   * they sign in with. A user has at most one account per host.
   */
  accounts: {
    /** The user of this host account: found, with their profile updated, or created with it. */
    signIn(provider: Provider, account: HostProfile): Promise<User>;
    /**
     * Links this host account to the user (replacing their earlier account of that host), and returns
     * the user; undefined when the account belongs to another user (nothing is changed).
     */
    link(userId: number, provider: Provider, account: HostProfile): Promise<User | undefined>;
    /** The user's accounts, by host. */
    list(userId: number): Promise<Array<{ provider: Provider; host_user_id: string; login: string }>>;
  };
  tokens: {
    /** Encrypts and stores (replaces) the user's token for that host; a refresh token is encrypted too. */
    put(userId: number, provider: Provider, input: HostTokenInput): Promise<void>;
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
  /**
   * Runs `fn` while holding the database's lock on `key`: on PostgreSQL an advisory lock, so one
   * holder at a time across instances (a `LockTimeout` after `waitMs`); the embedded database has one
   * process, which its caller's own lock already covers.
   */
  locks: { run<T>(key: string, waitMs: number, fn: () => Promise<T>): Promise<T> };
  /** Cheap round trip for readiness. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const detectionKey = (k: Pick<DetectionKey, 'provider' | 'repo_id'>): string => `${k.provider}:${k.repo_id}`;
