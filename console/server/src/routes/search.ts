import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../context';

export const searchRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async () => {};
