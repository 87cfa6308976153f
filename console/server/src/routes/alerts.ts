import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../context';

export const alertRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async () => {};
