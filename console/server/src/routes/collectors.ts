import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../context';

export const collectorRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async () => {};
