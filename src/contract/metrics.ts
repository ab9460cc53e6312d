import type { Provider } from './types.ts';

/**
 * What the git host code counts, as it receives it: the HTTP layer's Prometheus counter fits this
 * shape, and a test can pass anything that does.
 */
export interface HostMetrics {
  upstream: {
    inc(labels: { provider: Provider; outcome: 'downloaded' | 'not_modified' | 'failed' }, value?: number): void;
  };
}
