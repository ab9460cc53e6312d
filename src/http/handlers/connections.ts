import type { RequestHandler } from 'express';
import type { Services } from '../services.ts';
import type { Installation } from '../../store/types.ts';
import { principalOf } from '../auth.ts';
import { problems, type Provider } from '../../contract/problem.ts';
import type { JsonRequest, QueryOf, Schemas } from '../../contract/types.ts';

const toConnection = (i: Installation): Schemas['Connection'] => ({
  id: i.id,
  provider: i.provider,
  repo_id: i.repo_id,
  full_name: i.repo_full_name,
  // Only active installations become connections in answers.
  is_active: true,
  created_at: i.created_at,
  updated_at: i.updated_at,
});

export function connectionHandlers(services: Services) {
  const { store, listing } = services;

  const listConnections: RequestHandler = async (req, res) => {
    const { user } = principalOf(req);
    const { provider } = req.query as QueryOf<'listConnections'>;
    const installations = await store.installations.listActive(user.id, provider);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ connections: installations.map(toConnection) } satisfies Schemas['ConnectionList']);
  };

  const connectRepository: RequestHandler = async (req, res) => {
    const { user } = principalOf(req);
    const { provider, repo_id } = req.body as JsonRequest<'connectRepository'>;
    const repo = await listing.findRepository(user.id, provider, repo_id);
    if (!repo) throw problems.notFound(`No repository ${repo_id} is visible to you on ${provider}.`);
    const { installation, created } = await store.installations.connect(user.id, provider, repo.id, repo.full_name);
    if (created) res.setHeader('Location', `/api/v1/connections/${provider}/${repo.id}`);
    res.setHeader('Cache-Control', 'no-store');
    res.status(created ? 201 : 200).json(toConnection(installation));
  };

  const disconnectRepository: RequestHandler = async (req, res) => {
    const { user } = principalOf(req);
    const provider = req.params.provider as Provider;
    const repoId = Number(req.params.repo_id);
    const removed = await store.installations.disconnect(user.id, provider, repoId);
    if (!removed) throw problems.notFound(`${provider} repository ${repoId} is not connected.`);
    res.status(204).end();
  };

  return { listConnections, connectRepository, disconnectRepository };
}
