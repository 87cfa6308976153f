import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../context';

export const postureRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async () => {};
